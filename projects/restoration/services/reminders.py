"""Reporting reminders: before a period's deadline and on it to the reporting organization's staff,
then escalated to the province's lead and to the joint office. Each step is sent once per project
and period (``ReminderLog``'s unique constraint), by e-mail and/or in the tracker as each person chose
(``User.notify_by``). Run by Celery beat (``projects.restoration.tasks.send_reporting_reminders``).

Steps, counted from the due date (``projects.restoration.compliance``) of a report not yet submitted:

``before``   ``REMINDER_DAYS_BEFORE`` days before it (5), to the reporting organization's staff;
``due``      on it, to the same;
``province`` ``REMINDER_ESCALATE_PROVINCE_DAYS`` after it (7), to the province's lead: the staff of the
             provincial authorities (厅、局) of the reporting organization's province, other than the
             reporting organization itself;
``office``   ``REMINDER_ESCALATE_OFFICE_DAYS`` after it (14), to the joint office.

Only the latest step whose day has come is sent (a run missed for a week does not send four
messages at once), and periods due more than ``REMINDER_MAX_AGE_DAYS`` (92) ago are left to the
compliance list: a reminder is about what can still be done.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from projects.core.choices import NotifyBy, OrganizationKind, Role
from projects.core.models import Notification, User
from projects.restoration.choices import ReminderStep
from projects.restoration.compliance import NOT_REPORTED, reporting_compliance
from projects.restoration.models import Project, ReminderLog

EVENT = "restoration.report.reminder"


def reminder_step(due: datetime.date, today: datetime.date) -> str | None:
    """The step whose day has come for a report due on ``due`` (None: too early or too late)."""
    late = (today - due).days
    if late > settings.REMINDER_MAX_AGE_DAYS:
        return None
    if late >= settings.REMINDER_ESCALATE_OFFICE_DAYS:
        return ReminderStep.OFFICE
    if late >= settings.REMINDER_ESCALATE_PROVINCE_DAYS:
        return ReminderStep.PROVINCE
    if late >= 0:
        return ReminderStep.DUE
    if -late <= settings.REMINDER_DAYS_BEFORE:
        return ReminderStep.BEFORE
    return None


def recipients(step: str, project: Project) -> list:
    users = User.objects.filter(is_active=True).select_related("organization")
    lead = project.lead_organization
    if step in (ReminderStep.BEFORE, ReminderStep.DUE):
        users = users.filter(organization=lead)
    elif step == ReminderStep.PROVINCE:
        users = users.filter(
            organization__province_id=lead.province_id,
            organization__kind=OrganizationKind.PROVINCIAL_AUTHORITY,
            role=Role.PROVINCIAL_STAFF,
        ).exclude(organization=lead)  # they were told at the earlier steps
    else:
        users = users.filter(role=Role.JOINT_OFFICE)
    return list(users.order_by("username"))


def _message(step: str, row: dict) -> tuple[str, str]:
    values = {
        "project": f"{row['project']['code']} {row['project']['name']}",
        "period": row["period"],
        "due": row["due_date"].isoformat(),
        "organization": row["organization"]["name"],
        "days": row["days_overdue"],
    }
    if step == ReminderStep.BEFORE:
        subject = _("Progress report due on %(due)s: %(project)s, %(period)s") % values
        body = _("The progress report of %(project)s for %(period)s is due on %(due)s. Please submit it in time.")
    elif step == ReminderStep.DUE:
        subject = _("Progress report due today: %(project)s, %(period)s") % values
        body = _("The progress report of %(project)s for %(period)s is due today (%(due)s) and not submitted yet.")
    else:
        subject = _("Overdue progress report: %(project)s, %(period)s") % values
        body = _(
            "%(organization)s has not submitted the progress report of %(project)s for %(period)s, due on "
            "%(due)s (%(days)s days ago). Please follow it up."
        )
    return subject, body % values


def send_reminder(*, project: Project, row: dict, step: str) -> ReminderLog | None:
    """Tell the step's people about one period's report, once; None if sent before or nobody to tell."""
    people = recipients(step, project)
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(step, row)
    in_tracker = [u for u in people if u.notify_by in (NotifyBy.EMAIL_AND_TRACKER, NotifyBy.TRACKER)]
    by_mail = sorted(
        {u.email for u in people if u.email and u.notify_by in (NotifyBy.EMAIL_AND_TRACKER, NotifyBy.EMAIL)}
    )
    if not in_tracker and not by_mail:
        return None  # nobody to tell: tried again on the next run
    try:
        with transaction.atomic():
            log = ReminderLog.objects.create(
                project=project,
                period=row["period"],
                step=step,
                due_date=row["due_date"],
                recipients=[u.username for u in people],
            )
            link = f"/admin/restoration/project/{project.pk}/change/"
            Notification.objects.bulk_create(
                Notification(user=u, event=f"{EVENT}.{step}", subject=subject, body=body, link=link) for u in in_tracker
            )
            if by_mail:
                log.emails = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, by_mail) and len(by_mail)
                log.save(update_fields=["emails"])
    except IntegrityError:
        return None  # another run sent this step first
    return log


def send_reporting_reminders(*, today: datetime.date) -> list[ReminderLog]:
    """Every reminder whose day has come and that was not sent yet. Safe to run any number of times."""
    result = reporting_compliance(projects=Project.objects.all(), today=today, statuses=NOT_REPORTED)
    projects = {str(p.pk): p for p in Project.objects.select_related("lead_organization")}
    sent_before = set(ReminderLog.objects.values_list("project_id", "period", "step"))
    sent = []
    for row in result["rows"]:
        step = reminder_step(row["due_date"], today)
        project = projects[row["project"]["id"]]
        if step is None or (project.pk, row["period"], step) in sent_before:
            continue
        log = send_reminder(project=project, row=row, step=step)
        if log is not None:
            sent.append(log)
    return sent
