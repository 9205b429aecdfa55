"""Every example in docs/partners.md runs, in order, against a real server."""

import os
import re
import subprocess
import sys
from pathlib import Path

from projects.core.choices import Role
from projects.core.tokens import token_issue
from tests.factories import UserFactory
from tests.restoration.factories import org

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_every_example_in_the_partner_guide_runs(live_server, settings, tmp_path):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the example's partner.example.org is not looked up
    partner = UserFactory(username="doc_partner", role=Role.PARTNER_SYSTEM, organization=org("joint-office"))
    (tmp_path / "write-token.txt").write_text(token_issue(actor=partner, user=partner, name="docs", scope="write")[1])
    # A provincial office's own tool, for the import example (a partner system may not add projects).
    staff = UserFactory(username="doc_sc_staff", role=Role.PROVINCIAL_STAFF, organization=org("sc-natural-resources"))
    (tmp_path / "staff-token.txt").write_text(token_issue(actor=staff, user=staff, name="docs", scope="write")[1])
    (tmp_path / "docs").symlink_to(DOCS)
    env = {
        **os.environ,
        "TRACKER": live_server.url,
        "USERNAME": "doc_partner",
        "PASSWORD": settings.DEMO_PASSWORD,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    blocks = BLOCK.findall((DOCS / "partners.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    for number, (language, code) in enumerate(blocks, start=1):
        command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"example {number} ({language}) failed:\n{code}\n{done.stdout}\n{done.stderr}"
        assert done.stdout.strip(), f"example {number} printed nothing"
        assert "Traceback" not in done.stderr
