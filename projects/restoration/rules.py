"""Who may do what with projects, progress reports and participation (see ``projects.permissions``).

A province acts on a project only while it takes part in it (its organizations lead it or are
partners). Only the lead province (or the joint office) changes the lead and the partners,
and no province is added to a project, dropped from it or made its lead without its own
agreement: that goes through a participation request that the other side decides.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from projects.permissions import (
    ADD,
    CHANGE,
    DELETE,
    TRANSITION,
    VIEW,
    action_labels,
    is_provincial_staff,
    rule_for,
)

REVIEW = "review"
DECIDE = "decide"
action_labels(
    {
        REVIEW: pgettext_lazy("permission action", "review"),
        DECIDE: pgettext_lazy("permission action", "decide on"),
    }
)


def project_province_ids(project) -> set:
    # Read for many projects at once (``province_ids``, as a batch of reports sets it) or
    # prefetched when present; else the organizations (before refresh_derived).
    if project.pk is None:
        return set()
    ids = getattr(project, "province_ids", None)
    if ids is None:
        ids = {p.pk for p in project.provinces.all()}
    return ids or project.organization_province_ids()


def is_lead_province(user, project) -> bool:
    return is_provincial_staff(user) and project.lead_organization.province_id == user.province_id


@rule_for("restoration.project")
def projects(user, action, project) -> bool:
    if action == VIEW:
        return True
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if project is None:  # "may they create projects at all?"
        return action == ADD
    if action == ADD:
        # Provincial staff create projects for their own province: they lead it.
        return project.lead_organization.province_id == user.province_id
    if action in (CHANGE, TRANSITION):
        return user.province_id in project_province_ids(project)
    return False


def lead_organizations(user, queryset):
    """The organizations ``user`` may name as a project's lead without another province's agreement
    (``check_participation_change``): their province's; any, for the joint office."""
    if user.runs_everything:
        return queryset
    if not is_provincial_staff(user):
        return queryset.none()
    return queryset.filter(province_id=user.province_id)


def check_participation_change(user, *, lead_before, lead_after, provinces_before: set, provinces_after: set) -> None:
    """Refuse a change of the lead or the partners that is not the user's to make alone.

    ``lead_before`` is None for a new project. The joint office agrees for every province.
    """
    if user.runs_everything:
        return
    if lead_before is not None and lead_before.province_id != user.province_id:
        raise PermissionDenied(_("Only the lead province or the joint office changes the lead and the partners."))
    if lead_after.province_id != user.province_id:
        raise PermissionDenied(
            _(
                "Another province becomes the lead only with its agreement: send it a participation "
                "request (hand over the lead) instead."
            )
        )
    others = (provinces_before ^ provinces_after) - {user.province_id}
    if others:
        from projects.core.models import Province

        names = "、".join(sorted(str(p) for p in Province.objects.filter(pk__in=others)))
        raise PermissionDenied(
            _(
                "A province joins or leaves a project only with its agreement (%(provinces)s): send a "
                "participation request, or ask the joint office."
            )
            % {"provinces": names}
        )


@rule_for("restoration.fundingshare", "restoration.indicatortarget")
def project_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return projects(user, CHANGE, part.project)


@rule_for("restoration.progressreport")
def progress_reports(user, action, report) -> bool:
    if action == VIEW:
        return True
    if action == REVIEW:
        if user.runs_everything:
            return True
        # A province that takes part in the project reviews what another province reported.
        return (
            report is not None
            and is_provincial_staff(user)
            and user.province_id in project_province_ids(report.project)
            and user.province_id != report.reported_by.province_id
        )
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if report is None:
        return action in (ADD, CHANGE)
    return user.province_id in project_province_ids(report.project)


@rule_for("restoration.indicatorvalue", "restoration.reportattachment", "restoration.reportinvestment")
def report_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return progress_reports(user, CHANGE, part.report)


@rule_for("restoration.participationrequest")
def participation_requests(user, action, request) -> bool:
    if action == VIEW:
        return True
    if user.runs_everything:
        return action != CHANGE
    if not is_provincial_staff(user):
        return False
    if request is None:
        return action == ADD
    if action == ADD:
        return user.province_id in {request.project.lead_organization.province_id, request.organization.province_id}
    if action == DECIDE:
        return user.province_id == request.deciding_province_id
    if action == TRANSITION:  # withdrawing one's own request
        return user.province_id == request.requesting_province_id
    return False


@rule_for("restoration.shorelinesegment")
def shoreline_segments(user, action, segment) -> bool:
    """The joint office and the staff of the province responsible for the stretch keep it."""
    if action == VIEW:
        return True
    if user.runs_everything:
        return True
    if not is_provincial_staff(user):
        return False
    if segment is None:
        return action in (ADD, CHANGE, DELETE)
    return action in (ADD, CHANGE, DELETE) and segment.province_id == user.province_id


@rule_for("restoration.projecttransition")
def transitions(user, action, obj) -> bool:
    return action == VIEW  # written by project_transition only


@rule_for("restoration.acceptancerecord")
def acceptance_records(user, action, record) -> bool:
    """The joint office and the staff of a province taking part record a project's acceptance; a
    concluded record is frozen (the service refuses) and nobody but the joint office deletes a draft."""
    if action == VIEW:
        return True
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if record is None:
        return action in (ADD, CHANGE, TRANSITION)
    return user.province_id in project_province_ids(record.project)


@rule_for(
    "restoration.acceptancemember",
    "restoration.acceptanceindicator",
    "restoration.landusechange",
    "restoration.acceptancedocument",
)
def acceptance_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return acceptance_records(user, CHANGE, part.record)


@rule_for("restoration.rectificationitem")
def rectification_items(user, action, item) -> bool:
    """Those who record the acceptance set the items; they and the responsible organization's
    province mark them done."""
    if action == VIEW:
        return True
    if user.runs_everything:
        return True
    if not is_provincial_staff(user) or action == DELETE:
        return False
    if item is None:
        return action in (ADD, CHANGE, TRANSITION)
    if action == TRANSITION and item.responsible_organization.province_id == user.province_id:
        return True
    return acceptance_records(user, CHANGE, item.record)


@rule_for("restoration.reminderlog")
def reminder_logs(user, action, log) -> bool:
    return action == VIEW  # written by the reminder task only
