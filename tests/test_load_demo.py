"""``load_demo`` creates accounts with a published password: with DEBUG off only on purpose.

With DEBUG on (``make demo``, ``make run``) it runs as before: see
tests/compensation/test_reference_and_demo.py and tests/test_setup_path.py.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from projects.core.models import ChangeRecord, Organization, User

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db
OWN_PASSWORD = "Ziyang-demo-server-2026!"


def _counts():
    return (User.objects.count(), Organization.objects.count(), ChangeRecord.objects.count())


@pytest.mark.parametrize(
    ("flag", "password", "message"),
    [
        (False, "tracker-demo", "DEBUG is off: load_demo would create the demo accounts"),
        (False, OWN_PASSWORD, "--allow-production"),
        (True, "tracker-demo", "DEMO_PASSWORD is the published default"),
        (True, "", "DEMO_PASSWORD is too weak"),
        (True, "12345678", "DEMO_PASSWORD is too weak"),
    ],
    ids=["no-flag-default-password", "no-flag-own-password", "flag-default-password", "flag-empty", "flag-weak"],
)
def test_with_debug_off_load_demo_refuses_and_writes_nothing(settings, flag, password, message):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = password
    before = _counts()
    with pytest.raises(CommandError, match=message) as refused:
        call_command("load_demo", *(["--allow-production"] if flag else []))
    assert "Nothing was written" in str(refused.value)
    assert _counts() == before
    assert not User.objects.filter(username="admin").exists()


def test_with_the_flag_and_a_password_of_ones_own_the_demo_loads(settings, capsys, monkeypatch):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = OWN_PASSWORD
    # The accounts for real; the domain data as make demo loads it (test_reference_and_demo.py).
    for domain in ("restoration", "conference", "compensation"):
        monkeypatch.setattr(f"projects.{domain}.demo.load", lambda domain=domain: f"{domain} demo")
    call_command("load_demo", "--allow-production")
    out = capsys.readouterr().out
    assert "core.load_users: ['admin'," in out
    assert "compensation.load: compensation demo" in out
    admin = User.objects.get(username="admin")
    assert admin.check_password(OWN_PASSWORD)
    assert not admin.check_password("tracker-demo")


def test_the_command_line_exits_non_zero_before_touching_the_database(tmp_path):
    database = tmp_path / "never-created.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "false",
        "DATABASE_URL": f"spatialite:///{database}",
        "VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DEMO_PASSWORD", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DEBUG is off: load_demo would create the demo accounts" in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()
