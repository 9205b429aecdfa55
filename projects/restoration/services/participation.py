"""Participation requests: one side asks, the other side (or the joint office) decides."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.core.services import lock, refresh_derived, tracked_save, tracked_transition
from projects.permissions import TRANSITION
from projects.restoration.choices import ParticipationKind, ParticipationStatus
from projects.restoration.lifecycle import PARTICIPATION_LIFECYCLE
from projects.restoration.models import ParticipationRequest
from projects.restoration.rules import DECIDE

# The permission each move asks for: the requesting side withdraws, the deciding side decides.
TRANSITION_PERMISSIONS = {
    ParticipationStatus.ACCEPTED: DECIDE,
    ParticipationStatus.DECLINED: DECIDE,
    ParticipationStatus.WITHDRAWN: TRANSITION,
}


def participation_request(*, actor, instance=None, data: dict, expected_version=None) -> ParticipationRequest:
    """Ask the other side to agree that an organization joins, leaves or takes the lead of a project.

    The lead province asks the organization's province, or the organization's province asks
    the lead province. A change within one's own province needs no request: edit the project.
    """
    if instance is not None:
        raise ValidationError({"non_field_errors": _("A request is not edited; withdraw it and ask again.")})

    def write(_current):
        request = ParticipationRequest(
            project=data["project"],
            organization=data["organization"],
            kind=data["kind"],
            comment=data.get("comment", ""),
            requested_by=actor,
        )
        lead_province = request.project.lead_organization.province_id
        organization_province = request.organization.province_id
        mine = actor.province_id
        request.requesting_province_id = mine
        request.deciding_province_id = organization_province if mine == lead_province else lead_province
        if mine is not None and request.deciding_province_id == mine:
            raise ValidationError(
                {"organization": _("Your province makes this change itself: edit the project's partners.")}
            )
        request.full_clean()
        request.save()
        return request

    return tracked_save(actor=actor, instance=None, write=write)


def _apply_to_project(request: ParticipationRequest, actor) -> None:
    project = lock(request.project)
    before = snapshot(project)
    organization = request.organization
    if request.kind == ParticipationKind.JOIN:
        project.partner_organizations.add(organization)
    elif request.kind == ParticipationKind.LEAVE:
        project.partner_organizations.remove(organization)
    else:
        previous = project.lead_organization
        project.lead_organization = organization
        project.partner_organizations.remove(organization)
        project.partner_organizations.add(previous)
    project.full_clean()
    project.save()
    refresh_derived(project)
    record_change(
        instance=project,
        action=ChangeAction.UPDATE,
        actor=actor,
        before=before,
        after=snapshot(project),
        message=str(request),
        event="restoration.project.participation_changed",
    )


def participation_transition(
    *, actor, instance: ParticipationRequest, to: str, comment: str = "", expected_version=None
) -> ParticipationRequest:
    """Accept or decline (the deciding side or the joint office), or withdraw (the requesting side)."""

    def apply(request, _from_status):
        request.decided_by = actor if to != ParticipationStatus.WITHDRAWN else None
        request.decision_comment = comment
        if to == ParticipationStatus.ACCEPTED:
            _apply_to_project(request, actor)

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=PARTICIPATION_LIFECYCLE,
        to=to,
        permission=TRANSITION_PERMISSIONS.get(to, DECIDE),
        comment=comment,
        apply=apply,
        expected_version=expected_version,
        related=("project__lead_organization", "organization"),
    )
