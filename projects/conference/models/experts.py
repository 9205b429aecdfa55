"""The expert committee (专家委员会) and its members' reviews."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.conference.choices import Recommendation, ReviewStatus
from projects.conference.querysets import ExpertReviewQuerySet
from projects.core.choices import Role
from projects.core.models.base import TrackedModel


class Expert(TrackedModel):
    """A member of the expert committee for a term; may sign in as a user with the expert role."""

    brief_fields = ("name", "field", "affiliation")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)  # 姓名, not 名称
    field = models.CharField(_("field of expertise"), max_length=200)
    affiliation = models.CharField(_("affiliation"), max_length=200)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("province"),
    )
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert",
        verbose_name=_("user account"),
        help_text=_("The account the expert signs in with (role: expert)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="expert_term_end_not_before_start",
                violation_error_message=_("The term cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})"

    def clean(self):
        errors = {}
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = _("The term cannot end before it starts.")
        if self.user_id and self.user.role != Role.EXPERT:
            errors["user"] = _("Only a user with the expert role can be linked to an expert.")
        if errors:
            raise ValidationError(errors)

    def in_term(self, day) -> bool:
        return self.term_start <= day <= self.term_end


class ExpertReview(TrackedModel):
    """The joint office's request that an expert review a project or an annual plan, and the opinion.

    Exactly one of ``project`` and ``plan`` is set.
    """

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("expert"))
    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expert_reviews",
        verbose_name=_("project"),
    )
    plan = models.ForeignKey(
        "conference.AnnualPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expert_reviews",
        verbose_name=_("annual plan"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    question = models.TextField(_("what to review"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.REQUESTED, db_index=True
    )
    opinion = models.TextField(_("opinion"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=24, choices=Recommendation.choices, blank=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("0 to 100."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = ExpertReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(project__isnull=False) & models.Q(plan__isnull=True))
                | (models.Q(project__isnull=True) & models.Q(plan__isnull=False)),
                name="review_of_one_project_or_one_plan",
                violation_error_message=_("A review is of one project or of one annual plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert.name}: {self.subject}"

    @property
    def subject(self):
        return self.project if self.project_id else self.plan

    def history_scope(self):
        return self.subject

    def clean(self):
        if bool(self.project_id) == bool(self.plan_id):
            raise ValidationError({"project": _("A review is of one project or of one annual plan.")})

    def representation_parents(self, before):
        # Plans show their reviews; plan items show their project's.
        if self.plan_id:
            return [self.plan]
        from projects.conference.models import PlanItem

        return list(PlanItem.objects.filter(project_id=self.project_id))
