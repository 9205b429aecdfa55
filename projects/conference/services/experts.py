"""The expert committee (专家委员会): its members, the reviews the joint office asks of them, and the
opinions they write and submit."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.conference.choices import ReviewStatus
from projects.conference.lifecycle import REVIEW_LIFECYCLE
from projects.conference.models import Expert, ExpertReview
from projects.conference.rules import SUBMIT_OPINION
from projects.conference.services.common import delete_unreferenced
from projects.core.errors import DomainError
from projects.core.services import apply_fields, save_changed, save_fields, tracked_save, tracked_transition
from projects.permissions import ADD, require

_EXPERT_FIELDS = ("name", "field", "affiliation", "province", "term_start", "term_end", "user")
# What the joint office asks, and what the expert answers.
_REQUEST_FIELDS = ("expert", "project", "plan", "question", "due_date")
_OPINION_FIELDS = ("opinion", "recommendation", "score")


def expert_save(*, actor, instance: Expert | None = None, data: dict, expected_version=None) -> Expert:
    """Appoint a member of the committee or change their record (a linked account has the expert role)."""
    fields = {key: value for key, value in data.items() if key in _EXPERT_FIELDS}
    return tracked_save(
        actor=actor, instance=instance, write=save_fields(Expert, fields), expected_version=expected_version
    )


def expert_delete(*, actor, instance: Expert, expected_version=None) -> None:
    """A member who was asked for reviews stays (their reviews refer to them): 409."""
    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version)


def _same(review: ExpertReview, name: str, value) -> bool:
    stored = getattr(review, review._meta.get_field(name).attname)
    return stored == (value.pk if hasattr(value, "pk") else value)


def review_save(*, actor, instance: ExpertReview | None = None, data: dict, expected_version=None) -> ExpertReview:
    """Ask an expert in office for a review of one project or one plan (``instance`` None: the joint
    office), or write the opinion (the expert, until it is submitted).

    The request and the opinion belong to different people: the joint office never writes the
    opinion, the expert never changes what was asked. Fields sent back unchanged are accepted.
    """
    if instance is None:
        require(actor, ADD, ExpertReview)
        written = [name for name in _OPINION_FIELDS if data.get(name) not in (None, "")]
        if written:
            raise ValidationError({name: _("The opinion is the expert's to write.") for name in written})
        fields = {key: value for key, value in data.items() if key in _REQUEST_FIELDS}

        def request(_current) -> ExpertReview:
            review = ExpertReview(requested_by=actor, **fields)
            if review.expert_id is not None and not review.expert.in_term(timezone.localdate()):
                raise ValidationError({"expert": _("The expert's term on the committee is not current.")})
            review.full_clean()
            review.save()
            return review

        return tracked_save(actor=actor, instance=None, write=request)

    fields = {key: value for key, value in data.items() if key in _OPINION_FIELDS}

    def answer(current: ExpertReview) -> ExpertReview:
        if current.status != ReviewStatus.REQUESTED:
            raise DomainError(_("The opinion is submitted; reopen the review to change it."))
        changed = [name for name in _REQUEST_FIELDS if name in data and not _same(current, name, data[name])]
        if changed:
            message = _("Only the opinion, the recommendation and the score are the expert's to write.")
            raise ValidationError(dict.fromkeys(changed, message))
        changes = apply_fields(current, fields)
        current.full_clean()
        save_changed(current, changes, created=False)
        return current

    return tracked_save(
        actor=actor, instance=instance, write=answer, expected_version=expected_version, related=("expert",)
    )


def review_transition(
    *, actor, instance: ExpertReview, to: str, comment: str = "", expected_version=None
) -> ExpertReview:
    """Submit an opinion (the expert, once opinion, recommendation and score are there) or reopen it."""

    def check(review: ExpertReview) -> None:
        if to == ReviewStatus.SUBMITTED:
            require(actor, SUBMIT_OPINION, review)
            missing = {
                name: _("Needed before the opinion is submitted.")
                for name in _OPINION_FIELDS
                if getattr(review, name) in (None, "")
            }
            if missing:
                raise ValidationError(missing)

    def apply(review: ExpertReview, _from_status: str) -> None:
        review.submitted_at = timezone.now() if to == ReviewStatus.SUBMITTED else None

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=REVIEW_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        check=check,
        apply=apply,
        related=("expert",),
    )


def review_delete(*, actor, instance: ExpertReview, expected_version=None) -> None:
    """The joint office withdraws a request not answered yet (the rule allows it while requested)."""
    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version)
