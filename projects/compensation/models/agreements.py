"""Horizontal compensation agreements (横向生态补偿协议), their rules and settlements."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.compensation.choices import (
    AgreementStatus,
    EvaluationMethod,
    Parameter,
    RuleKind,
    SettlementPeriod,
    SettlementStatus,
    Side,
)
from projects.compensation.fields import yuan_field
from projects.compensation.numbers import parse_decimal, plain
from projects.core.models.base import BilingualNameMixin, TrackedModel
from projects.core.validators import DOCUMENT_EXTENSIONS, validate_attachment


def _validate_document(upload):
    validate_attachment(upload, DOCUMENT_EXTENSIONS)


class SettlementRule(BilingualNameMixin, TrackedModel):
    """A settlement rule as data: its kind, amounts and parameters, and the document it comes from.

    The joint office writes a new rule for a new agreement; the calculation itself is one of
    the kinds in ``projects.compensation.settlement``. ``verified`` is false for rules whose
    figures are not taken from a located source (demo values).
    """

    brief_fields = ("code", "name_zh", "name_en", "kind", "verified")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=40, choices=RuleKind.choices)
    amount_met = yuan_field(
        _("amount when the target is met"),
        default=0,
        help_text=_("Paid by the downstream party to the upstream party (元), per section and period or month."),
    )
    amount_missed = yuan_field(
        _("amount when the target is missed"),
        default=0,
        help_text=_("Paid by the upstream party to the downstream party (元), per section and period or month."),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "For the improvement index: weights per parameter, k0, threshold and a baseline "
            "(values per parameter, or baseline years)."
        ),
    )
    max_amount = yuan_field(_("cap per settlement"), null=True, blank=True)
    document = models.FileField(
        _("source document"), upload_to="compensation/rules/", blank=True, validators=[_validate_document]
    )
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    verified = models.BooleanField(
        _("verified against its source"),
        default=False,
        help_text=_("False for demonstration values not taken from an official text."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("settlement rule")
        verbose_name_plural = _("settlement rules")

    def clean(self):
        if self.kind == RuleKind.IMPROVEMENT_INDEX:
            self.parameters = validate_index_parameters(self.parameters or {})
        else:
            self.parameters = decimals_as_text(self.parameters or {})


def decimals_as_text(value):
    """Numbers kept as decimal text in JSON (a float by its shortest text), never as floats."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (float, Decimal)):
        return plain(parse_decimal(value))
    if isinstance(value, dict):
        return {str(key): decimals_as_text(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [decimals_as_text(item) for item in value]
    return value


def _decimal(value, errors: list, message) -> Decimal | None:
    try:
        return parse_decimal(value)
    except ValueError:
        errors.append(message)
        return None


def validate_index_parameters(params: dict) -> dict:
    """Check the improvement-index parameters; return them as exact decimal text.

    Weights, k0, the threshold and baseline values are decimals, given as text or as numbers
    (read from the request's own digits, never through a float): 0.85 is stored as "0.85".
    """
    errors = []
    if not isinstance(params, dict):
        raise ValidationError({"parameters": _("Give the parameters as an object.")})
    weights = params.get("weights")
    if not isinstance(weights, dict) or not weights:
        errors.append(_('Give “weights”, e.g. {"codmn": "0.25", "nh3n": "0.25", "tp": "0.25", "tn": "0.25"}.'))
        weights = {}
    unknown = sorted(set(weights) - set(Parameter.values))
    if unknown:
        errors.append(_("Unknown parameters in weights: %(names)s.") % {"names": ", ".join(unknown)})
    not_a_number = _("k0, threshold and weights must be numbers.")
    k0 = _decimal(params.get("k0", "1"), errors, not_a_number)
    threshold = _decimal(params.get("threshold", "1"), errors, not_a_number)
    clean_weights = {}
    for key, value in weights.items():
        weight = _decimal(value, errors, not_a_number)
        if weight is not None:
            clean_weights[key] = plain(weight)
    if (k0 is not None and k0 <= 0) or any(Decimal(w) < 0 for w in clean_weights.values()):
        errors.append(_("k0 must be above zero and the weights not below zero."))
    baseline = params.get("baseline")
    years = params.get("baseline_years")
    if baseline is None and years is None:
        errors.append(_("Give a “baseline” (value per parameter) or “baseline_years” ([first, last])."))
    if baseline is not None:
        if not isinstance(baseline, dict) or set(baseline) != set(weights):
            errors.append(_("The baseline must give a value for every weighted parameter."))
        else:
            message = _("Baseline values must be numbers.")
            numbers = {key: _decimal(value, errors, message) for key, value in baseline.items()}
            if all(number is not None for number in numbers.values()):
                if any(number <= 0 for number in numbers.values()):
                    errors.append(_("Baseline values must be above zero."))
                baseline = {key: plain(number) for key, number in numbers.items()}
    if years is not None and (
        not isinstance(years, list)
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        or years[0] > years[1]
    ):
        errors.append(_("baseline_years must be two years, first ≤ last, e.g. [2018, 2020]."))
    if errors:
        raise ValidationError({"parameters": list(dict.fromkeys(str(e) for e in errors))})
    cleaned = {"weights": clean_weights, "k0": plain(k0), "threshold": plain(threshold)}
    if baseline is not None:
        cleaned["baseline"] = baseline
    if years is not None:
        cleaned["baseline_years"] = years
    return cleaned


class CompensationAgreement(BilingualNameMixin, TrackedModel):
    """A horizontal ecological compensation agreement (横向生态补偿协议) between an upstream and a
    downstream party for a river and a period, judged on its cross-boundary sections (跨界断面)."""

    brief_fields = ("code", "name_zh", "name_en", "river", "status")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    river = models.CharField(_("river or basin"), max_length=100)
    corridor = models.ForeignKey(
        "core.Corridor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compensation_agreements",
        verbose_name=_("corridor"),
    )
    upstream_province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("upstream province")
    )
    upstream_division = models.ForeignKey(
        "core.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("upstream division"),
        help_text=_("When the party is a division below the province."),
    )
    downstream_province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("downstream province")
    )
    downstream_division = models.ForeignKey(
        "core.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("downstream division"),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    sections = models.ManyToManyField(
        "compensation.MonitoringSection", related_name="agreements", verbose_name=_("monitoring sections")
    )
    upstream_contribution = yuan_field(_("upstream contribution to the pool"), default=0)
    downstream_contribution = yuan_field(_("downstream contribution to the pool"), default=0)
    rule = models.ForeignKey(
        SettlementRule, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("settlement rule")
    )
    evaluation_method = models.CharField(
        _("how a section's class is judged"),
        max_length=20,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.PERIOD_MEAN,
    )
    settlement_period = models.CharField(
        _("settlement period"), max_length=10, choices=SettlementPeriod.choices, default=SettlementPeriod.YEAR
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, db_index=True
    )
    document = models.FileField(
        _("agreement text"), upload_to="compensation/agreements/", blank=True, validators=[_validate_document]
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_(
            "The earlier version of this agreement. A confirmed settlement freezes the terms it used, so "
            "a change of terms is a new version; the settlements keep pointing at the version they used."
        ),
    )
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Figures not taken from a signed agreement.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("compensation agreement")
        verbose_name_plural = _("compensation agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
                violation_error_message=_("The end cannot be before the start."),
            )
        ]

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end cannot be before the start.")
        for side in ("upstream", "downstream"):
            division = getattr(self, f"{side}_division")
            province_id = getattr(self, f"{side}_province_id")
            if division is not None and division.province_id != province_id:
                errors[f"{side}_division"] = _("The division must belong to the party's province.")
        if (
            self.upstream_province_id
            and self.upstream_province_id == self.downstream_province_id
            and self.upstream_division_id == self.downstream_division_id
        ):
            errors["downstream_province"] = _("The upstream and downstream parties must differ.")
        if errors:
            raise ValidationError(errors)

    @property
    def pool_total(self) -> int:
        return self.upstream_contribution + self.downstream_contribution

    def party_name(self, side: str) -> str:
        division = getattr(self, f"{side}_division")
        return str(division) if division is not None else str(getattr(self, f"{side}_province"))

    def party_province_id(self, side: str):
        return getattr(self, f"{side}_province_id")


class Settlement(TrackedModel):
    """Who pays whom and how much for one agreement and period, with the inputs and steps kept.

    Computed by ``settlement_compute`` (a Celery task); once both parties confirm, it is locked.
    """

    agreement = models.ForeignKey(
        CompensationAgreement, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("agreement")
    )
    # Contexts: a progress report's "period" is another word in Chinese (报告期, not 结算期).
    period = models.CharField(
        pgettext_lazy("settlement", "period"), max_length=7, help_text=_("YYYY for a year, YYYY-MM for a month.")
    )
    period_start = models.DateField(pgettext_lazy("settlement", "period start"), editable=False)
    period_end = models.DateField(pgettext_lazy("settlement", "period end"), editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=SettlementStatus.choices, default=SettlementStatus.PENDING, db_index=True
    )
    payer = models.CharField(_("payer"), max_length=12, choices=Side.choices, blank=True)
    amount = yuan_field(_("amount"), default=0)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True, editable=False)
    steps = models.JSONField(_("calculation steps"), default=list, blank=True, editable=False)
    input_digest = models.CharField(_("digest of the inputs"), max_length=64, blank=True, editable=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    # The outbox (projects.core.outbox): when the computation's message reached the broker.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    upstream_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed for the upstream party by"),
    )
    upstream_confirmed_at = models.DateTimeField(_("confirmed by the upstream party at"), null=True, blank=True)
    downstream_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed for the downstream party by"),
    )
    downstream_confirmed_at = models.DateTimeField(_("confirmed by the downstream party at"), null=True, blank=True)

    class Meta:
        ordering = ["agreement__code", "-period_start"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period"],
                name="one_settlement_per_agreement_period",
                violation_error_message=_("This agreement already has a settlement for this period."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement.code} {self.period}"

    def history_scope(self):
        return self.agreement

    @property
    def is_locked(self) -> bool:
        return self.status == SettlementStatus.CONFIRMED

    @property
    def payee(self) -> str:
        if not self.payer:
            return ""
        return Side.DOWNSTREAM if self.payer == Side.UPSTREAM else Side.UPSTREAM
