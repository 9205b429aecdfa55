"""An overdue action is marked notified only when a mail was actually sent."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from projects.conference import services
from projects.conference.choices import ActionStatus
from tests.conference.factories import ActionItemFactory
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


class DroppingBackend(BaseEmailBackend):
    """A backend that accepts the mail and sends nothing (as a fail_silently failure does)."""

    def send_messages(self, email_messages):
        return 0


@pytest.fixture
def silent_org():
    """An organization nobody can be mailed at: no contact address, its one user without one."""
    organization = OrganizationFactory(email="")
    UserFactory(organization=organization, email="")
    return organization


def test_with_nobody_to_mail_the_action_stays_unnotified_and_is_notified_once_someone_can_be(silent_org):
    item = ActionItemFactory(responsible_organization=silent_org, status=ActionStatus.OVERDUE)
    assert services.notify_overdue_action(item_id=item.pk) == 0
    item.refresh_from_db()
    assert item.overdue_notified_at is None
    assert mail.outbox == []

    UserFactory(organization=silent_org, email="officer@example.org")
    assert services.notify_overdue_action(item_id=item.pk) == 1
    item.refresh_from_db()
    assert item.overdue_notified_at is not None
    assert [message.to for message in mail.outbox] == [["officer@example.org"]]
    assert services.notify_overdue_action(item_id=item.pk) == 0  # once only


def test_a_mail_the_backend_did_not_send_leaves_the_action_unnotified(silent_org, settings):
    UserFactory(organization=silent_org, email="officer@example.org")
    item = ActionItemFactory(responsible_organization=silent_org, status=ActionStatus.OVERDUE)
    settings.EMAIL_BACKEND = f"{__name__}.DroppingBackend"
    assert services.notify_overdue_action(item_id=item.pk) == 0
    item.refresh_from_db()
    assert item.overdue_notified_at is None
