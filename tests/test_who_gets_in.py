"""Who gets in: sign-in lockout on the token endpoint and the admin, server request ids, a JSON 503
while the database is down, /healthz details for staff only, the Content-Security-Policy, secrets
masked on the debug page. Figures in docs/reliability.md."""

import re

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from projects.core import signin
from projects.core.history import SIGN_IN_FAILED, SIGN_IN_REFUSED, SIGNED_IN
from projects.core.models import ChangeRecord

pytestmark = pytest.mark.django_db
PASSWORD = "tracker-demo"
SECRETS = {
    "DATABASE_URL": "postgis://tracker:db-password-123@db:5432/tracker",
    "CELERY_BROKER_URL": "redis://:broker-password-456@redis:6379/0",
    "CACHE_URL": "redis://:cache-password-789@redis:6379/1",
}


def token_sign_in(password, address="10.0.0.1", username="sc_staff"):
    client = APIClient(REMOTE_ADDR=address)
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, "name": "t"}, format="json")


def test_five_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(sc_staff, monkeypatch):
    assert [token_sign_in("wrong").status_code for _ in range(5)] == [401] * 5
    locked = token_sign_in(PASSWORD)
    assert locked.status_code == 429
    assert 850 <= int(locked["Retry-After"]) <= 901
    assert "15" in locked.json()["detail"]
    # Another address is not locked out by someone else's guesses.
    assert token_sign_in(PASSWORD, address="10.0.0.2").status_code == 201
    # Fifteen minutes later the right password works again.
    now = signin.time.time()
    monkeypatch.setattr(signin.time, "time", lambda: now + 901)
    signin.cache.delete(signin._key("locked", "sc_staff", "10.0.0.1"))  # the cache entry has expired by then
    assert token_sign_in(PASSWORD).status_code == 201


def test_four_wrong_passwords_then_the_right_one_start_the_count_again(sc_staff):
    for _ in range(4):
        token_sign_in("wrong")
    assert token_sign_in(PASSWORD).status_code == 201
    assert [token_sign_in("wrong").status_code for _ in range(4)] == [401] * 4
    assert token_sign_in(PASSWORD).status_code == 201


def admin_login(password, username="sc_staff"):
    client = Client(REMOTE_ADDR="10.0.0.3")
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return client, response


def test_the_admin_login_locks_with_a_translated_message(sc_staff):
    for _ in range(5):
        _client, response = admin_login("wrong")
        assert response.status_code == 200
    client, response = admin_login(PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    english = Client(REMOTE_ADDR="10.0.0.3", HTTP_ACCEPT_LANGUAGE="en")
    english.cookies["django_language"] = "en"
    page = english.post("/admin/login/?next=/admin/", {"username": "sc_staff", "password": PASSWORD})
    assert "Too many failed sign-ins for this account" in page.content.decode()


def test_sign_ins_failures_and_refusals_are_in_the_history(sc_staff):
    token_sign_in("wrong")
    token_sign_in(PASSWORD)
    token_sign_in("wrong", username="nobody")
    for _ in range(5):
        token_sign_in("wrong")
    token_sign_in(PASSWORD)  # locked
    admin_login(PASSWORD, username="sc_staff")  # from another address: signed in
    events = list(
        ChangeRecord.objects.filter(event__startswith="core.user.").order_by("id").values_list("event", "object_id")
    )
    own = str(sc_staff.pk)
    assert events == [
        (SIGN_IN_FAILED, own),
        (SIGNED_IN, own),
        (SIGN_IN_FAILED, ""),  # a name that is no account
        *[(SIGN_IN_FAILED, own)] * 5,
        (SIGN_IN_REFUSED, own),
        (SIGNED_IN, own),
    ]
    record = ChangeRecord.objects.filter(event=SIGNED_IN).order_by("id").first()
    assert record.message == "10.0.0.1" and record.actor == sc_staff


def test_request_ids_are_the_servers_and_a_callers_is_kept_apart(client_for, sc_staff):
    from tests.restoration.factories import ProjectFactory

    project = ProjectFactory()
    response = client_for(sc_staff).patch(
        f"/api/v1/projects/{project.pk}/", {"name_en": "Renamed"}, format="json", HTTP_X_REQUEST_ID="forged-id"
    )
    assert response.status_code == 200, response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    record = ChangeRecord.objects.filter(object_id=str(project.pk)).latest("id")
    assert record.request_id == response["X-Request-ID"]
    assert record.client_request_id == "forged-id"


@pytest.fixture
def database_down(transactional_db):
    """The database server unreachable: every new connection fails, as during an outage."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        connection.settings_dict["NAME"] = "/nonexistent/folder/tracker.sqlite3"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_while_the_database_is_down_the_api_answers_json_503_with_retry_after(database_down):
    served = []
    for path, headers in [
        ("/api/v1/projects/", {"HTTP_AUTHORIZATION": "Token trk_x"}),
        ("/api/v1/projects/", {"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_AUTHORIZATION": "Token trk_x"}),
        ("/api/v1/auth/token/", {}),
    ]:
        client = APIClient()
        if path.endswith("token/"):
            response = client.post(path, {"username": "a", "password": "b"}, format="json")
        else:
            response = client.get(path, **headers)
        served.append(response)
    assert [r.status_code for r in served] == [503, 503, 503]
    assert all(r["Retry-After"] == "30" and r["Content-Type"] == "application/json" for r in served)
    assert served[1].json() == {"detail": "The database is unavailable for a moment. Try again shortly."}
    signed_in_browser = Client()
    signed_in_browser.cookies["sessionid"] = "a-session"  # reading it needs the database
    page = signed_in_browser.get("/admin/")
    assert page.status_code == 503 and page["Retry-After"] == "30"


def test_healthz_shows_details_to_staff_only(anonymous_client, joint_office):
    anonymous = anonymous_client.get("/healthz").json()
    assert anonymous == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}
    staff = Client()
    staff.force_login(joint_office)
    details = staff.get("/healthz").json()
    assert details["database"]["vendor"] == connection.vendor


def inline_scripts(html: str) -> list[str]:
    """Scripts a browser would run that are not files: inline code and event handler attributes."""
    blocks = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    handlers = re.findall(r"\son[a-z]+=\"", html)
    return [block for block in blocks if block.strip()] + handlers


def test_the_pages_send_a_content_security_policy_they_pass(joint_office):
    from projects.core.models import Corridor

    client = Client()
    client.force_login(joint_office)
    corridor = Corridor.objects.get(slug="fu")
    pages = ["/admin/", f"/admin/core/corridor/{corridor.pk}/change/", "/api/v1/docs/", "/api/v1/projects/"]
    for path in pages:
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert inline_scripts(response.content.decode()) == [], path
    swagger_setup = client.get("/api/v1/docs/?script=")
    assert swagger_setup.status_code == 200 and "SwaggerUIBundle" in swagger_setup.content.decode()
    login = Client().get("/admin/login/")
    assert "Content-Security-Policy" in login and inline_scripts(login.content.decode()) == []


def test_secrets_are_masked_on_the_debug_page(settings, rf):
    from django.views.debug import technical_500_response

    settings.DEBUG = True
    for name, value in SECRETS.items():
        setattr(settings, name, value)
    request = rf.get("/", HTTP_X_DATABASE_URL=SECRETS["DATABASE_URL"])
    page = technical_500_response(request, *_failure()).content.decode()
    for secret in ("db-password-123", "broker-password-456", "cache-password-789"):
        assert secret not in page
    assert "DATABASE_URL" in page and "postgis://tracker:********************@db:5432/tracker" in page


def _failure():
    """An exception with its traceback, raised far from the secrets above (the page shows code)."""
    import sys

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return sys.exc_info()
