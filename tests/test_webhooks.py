"""Webhooks: changes from the outbox (the history), signed, retried with backoff, logged, deduplicable."""

import datetime
import http.server
import json
import threading

import pytest
from django.utils import timezone

from api import webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from projects.core.choices import Role
from projects.restoration import services
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, org

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's endpoint on localhost: records every request, answers with the next status."""

    def __init__(self):
        self.requests, self.answers = [], []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def partner_user():
    return UserFactory(role=Role.PARTNER_SYSTEM, organization=org("joint-office"), is_staff=False)


def subscribe(client, receiver, **extra):
    response = client.post("/api/v1/webhooks/", {"name": "省平台", "url": receiver.url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_change_reaches_the_subscriber_signed_with_a_unique_event_id(client_for, partner_user, sc_staff, receiver):
    subscription = subscribe(client_for(partner_user), receiver, events=["restoration.project.*"])
    assert subscription["secret"]
    project = ProjectFactory()
    services.project_save(actor=sc_staff, instance=project, data={"name_en": "watched"})
    assert webhooks.dispatch() == 1
    assert webhooks.send_due() == 1
    headers, body = receiver.requests[-1]
    payload = json.loads(body)
    assert (payload["type"], payload["id"], payload["event"]) == (
        "projects",
        str(project.pk),
        "restoration.project.updated",
    )
    assert payload["version"] == 2 and payload["url"].endswith(f"/api/v1/projects/{project.pk}/")
    assert headers["X-Tracker-Event-Id"] == str(payload["event_id"])
    assert webhooks.verify(subscription["secret"], headers["X-Tracker-Timestamp"], body, headers["X-Tracker-Signature"])
    assert not webhooks.verify("another secret", headers["X-Tracker-Timestamp"], body, headers["X-Tracker-Signature"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempt_log.get().status_code == 200


def test_events_and_record_types_filter_what_is_sent(client_for, partner_user, sc_staff, receiver):
    subscribe(client_for(partner_user), receiver, events=["restoration.progressreport.*"])
    services.project_save(actor=sc_staff, instance=ProjectFactory(), data={"name_en": "not watched"})
    assert webhooks.dispatch() == 0


def test_a_failing_receiver_is_retried_later_with_growing_delays_and_the_log_keeps_each_try(
    client_for, partner_user, sc_staff, receiver
):
    subscribe(client_for(partner_user), receiver)
    services.project_save(actor=sc_staff, instance=ProjectFactory(), data={"name_en": "x"})
    webhooks.dispatch()
    receiver.answers = [500, 503]
    assert webhooks.send_due() == 1  # failed; not due again at once
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert delivery.status == DeliveryStatus.PENDING and first_wait > datetime.timedelta(seconds=20)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > first_wait  # backs off
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.order_by("id")] == [500, 503, 200]
    # Every copy carried the same event id: the receiver can drop repeats.
    assert len({headers["X-Tracker-Event-Id"] for headers, _body in receiver.requests}) == 1


def test_a_410_ends_the_subscription(client_for, partner_user, sc_staff, receiver):
    subscription = subscribe(client_for(partner_user), receiver)
    services.project_save(actor=sc_staff, instance=ProjectFactory(), data={"name_en": "x"})
    webhooks.dispatch()
    receiver.answers = [410]
    webhooks.send_due()
    stored = WebhookSubscription.objects.get(pk=subscription["id"])
    assert not stored.is_active and stored.disabled_reason


def test_nothing_is_lost_while_the_broker_is_down(client_for, partner_user, sc_staff, receiver, monkeypatch):
    """The outbox is the history: a change made while the broker is down is dispatched and sent later."""
    from api import tasks

    subscribe(client_for(partner_user), receiver)
    monkeypatch.setattr(tasks.send_due_webhooks, "delay", lambda: (_ for _ in ()).throw(ConnectionError("down")))
    services.project_save(actor=sc_staff, instance=ProjectFactory(), data={"name_en": "during the outage"})
    assert webhooks.dispatch() == 1  # the on-commit nudge fails quietly
    monkeypatch.undo()
    assert webhooks.send_due() == 1 and len(receiver.requests) == 1


def test_subscribers_get_only_what_they_may_read_and_see_only_their_own(
    client_for, partner_user, joint_office, receiver
):
    other = UserFactory(role=Role.PARTNER_SYSTEM, organization=org("joint-office"), is_staff=False)
    mine = subscribe(client_for(partner_user), receiver)
    assert client_for(other).get(f"/api/v1/webhooks/{mine['id']}/").status_code == 404
    assert client_for(partner_user).get(f"/api/v1/webhooks/{mine['id']}/").json()["secret"] is None
    rotated = client_for(partner_user).post(f"/api/v1/webhooks/{mine['id']}/rotate-secret/").json()
    assert rotated["secret"] and rotated["secret"] != mine["secret"]


def test_webhooks_may_not_point_inside_the_network(client_for, partner_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:6379/", "http://10.0.0.5/hook", "ftp://example.org/", "http://localhost/"):
        response = client_for(partner_user).post("/api/v1/webhooks/", {"name": "x", "url": url}, format="json")
        assert response.status_code == 400 and "url" in response.json()["errors"], url
