import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(anonymous_client):
    response = anonymous_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_down(anonymous_client, monkeypatch):
    monkeypatch.setattr("tracker.health.broker_url", lambda: "redis://127.0.0.1:1/0")  # nothing listens there
    response = anonymous_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True
