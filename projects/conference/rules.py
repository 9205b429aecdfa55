"""Who may do what in the joint conference (see ``projects.permissions``).

The joint office runs meetings, decisions, plans, the expert committee and review packs.
Provincial staff draft their own province's plan items. The responsible organization's users
report on their follow-up actions. Experts see and edit only their own reviews; a review's
opinion is shown to others once it is submitted, and its drafts never are (history included).
Everyone signed in reads the rest.
"""

from django.db.models import Q

from projects.conference.choices import ReviewStatus
from projects.core.choices import Role
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, is_provincial_staff, rule_for, scope_for

# Custom actions beyond the five standard ones.
REPORT = "report"  # add a progress note to a follow-up action
DROP = "drop"  # close a follow-up action without doing it
SUBMIT_OPINION = "submit_opinion"


def _joint_office_only(user, action, obj) -> bool:
    return action == VIEW or user.runs_everything


rule_for(
    "conference.meeting",
    "conference.agendaitem",
    "conference.decision",
    "conference.annualplan",
    "conference.expert",
    "conference.corridorplan",
    "conference.corridortarget",
    "conference.reviewpack",
)(_joint_office_only)


@rule_for("conference.planitem")
def plan_items(user, action, item) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if not is_provincial_staff(user):
        return False
    if item is None:  # "may they draft items at all?"
        return action in (ADD, CHANGE, DELETE)
    # Each province's staff draft the items their province proposes.
    return action in (ADD, CHANGE, DELETE) and item.province_id == user.province_id


@rule_for("conference.planitemfunding", "conference.planitemtarget", "conference.planmilestone")
def plan_item_parts(user, action, part) -> bool:
    if action == VIEW:
        return True
    if part is None:
        return user.runs_everything or is_provincial_staff(user)
    return plan_items(user, CHANGE, part.item)


@rule_for("conference.actionitem")
def action_items(user, action, item) -> bool:
    if action == VIEW or user.runs_everything:
        return True
    if item is None or action not in (TRANSITION, REPORT):
        return False
    # The responsible organization reports progress and marks its action done.
    return user.organization_id is not None and user.organization_id == item.responsible_organization_id


@rule_for("conference.expertreview")
def expert_reviews(user, action, review) -> bool:
    own = review is not None and _is_own_review(user, review)
    if action == VIEW:
        if user.role == Role.EXPERT:
            return review is None or own
        return user.runs_everything or review is None or review.status == ReviewStatus.SUBMITTED
    if action in (ADD, DELETE):
        # The joint office asks for reviews (and withdraws requests not answered yet).
        return user.runs_everything and (review is None or review.status == ReviewStatus.REQUESTED)
    if action in (CHANGE, SUBMIT_OPINION):
        # The opinion is the expert's own: nobody else writes it, not even the joint office.
        return (review is None and user.role == Role.EXPERT) or own
    if action == TRANSITION:
        return own or user.runs_everything
    return False


def _is_own_review(user, review) -> bool:
    return user.role == Role.EXPERT and review.expert.user_id == user.pk


def expert_review_history(user) -> Q | None:
    """Which change records of expert reviews ``user`` may see (``None``: all of them).

    Experts see their own reviews' records; the joint office all. Everyone else sees only the
    records written while an opinion stood submitted: a draft opinion, and every edit made
    before submitting it, stays between the expert and the joint office even after the review
    is submitted (its history is kept under the plan or the project, which everyone reads).
    """
    if user.role == Role.EXPERT:
        from projects.conference.models import ExpertReview

        own = ExpertReview.objects.filter(expert__user=user).values_list("pk", flat=True)
        # Change records name their record by text; a short list (one expert's reviews) is compared as such.
        return Q(object_id__in=[str(pk) for pk in own])
    if user.runs_everything:
        return None
    return Q(after__status=ReviewStatus.SUBMITTED)


@scope_for("conference.expertreview", history=expert_review_history)
def expert_review_scope(user, queryset):
    """The queryset form of ``expert_reviews(user, VIEW, …)``: one decision, two shapes."""
    if user.role == Role.EXPERT:
        return queryset.filter(expert__user=user)
    if user.runs_everything:
        return queryset
    return queryset.filter(status=ReviewStatus.SUBMITTED)


@rule_for("conference.actionupdate", "conference.plantransition", "conference.planamendment")
def written_by_services(user, action, obj) -> bool:
    return action == VIEW
