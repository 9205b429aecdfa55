"""Writes of the compensation domain: each opens a transaction, checks permission and rules,
writes, records history and schedules background work on commit.

Money is in whole yuan (元). Quantities of ecological products are Decimals in their unit.
"""

import csv
import datetime
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.compensation.choices import (
    AgreementStatus,
    ListingStatus,
    SampleSource,
    SettlementStatus,
    Side,
    StandardStatus,
    TradeStatus,
)
from projects.compensation.evaluation import classify, load_limits
from projects.compensation.lifecycle import (
    AGREEMENT_LIFECYCLE,
    LISTING_LIFECYCLE,
    SETTLEMENT_LIFECYCLE,
    STANDARD_LIFECYCLE,
    TRADE_LIFECYCLE,
)
from projects.compensation.models import (
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    Measurement,
    MonitoringSection,
    ProductListing,
    Settlement,
    Standard,
    Trade,
    WaterParameter,
    WaterSample,
)
from projects.compensation.settlement import calculate, digest, gather_inputs, period_bounds
from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.services import lock, save_tracked
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, can, require

# --- helpers ----------------------------------------------------------------------------------


def _apply(instance, values: dict):
    many = {}
    for field, value in values.items():
        if instance._meta.get_field(field).many_to_many:
            many[field] = value
        else:
            setattr(instance, field, value)
    return many


def _save_plain(*, actor, model, values: dict, instance=None, message: str = ""):
    """Create or update through ``save_tracked`` with model validation (400 on bad input)."""

    def save():
        obj = instance if instance is not None else model()
        many = _apply(obj, values)
        obj.full_clean()
        obj.save()
        for field, value in many.items():
            getattr(obj, field).set(value)
        return obj

    return save_tracked(actor=actor, instance=instance, save=save, message=message)


def _transition(*, instance, lifecycle, to: str, actor, message: str = "", field: str = "status"):
    before = snapshot(instance)
    lifecycle.check(getattr(instance, field), to)
    setattr(instance, field, to)
    instance.save()
    record_change(
        instance=instance,
        action=ChangeAction.TRANSITION,
        actor=actor,
        before=before,
        after=snapshot(instance),
        message=message,
    )
    return instance


# --- water-quality samples --------------------------------------------------------------------

# Parameters every sample must carry for its class to mean something. Automatic stations
# measure the "9+X" basics only, so COD and BOD5 come from manual sampling.
REQUIRED = {
    SampleSource.MANUAL: ("do", "codmn", "cod", "bod5", "nh3n", "tp"),
    SampleSource.AUTOMATIC: ("do", "codmn", "nh3n", "tp"),
}
LAKE_REQUIRED = ("tn",)
MG_L = {"mg/l", "mg／l", "毫克/升", "mg/dm3"}
UG_L = {"ug/l", "µg/l", "μg/l", "微克/升"}
NO_UNIT = {"", "-", "无量纲", "dimensionless", "ph"}


def _normalise_unit(spec: WaterParameter, unit: str, value: Decimal):
    """The value in the parameter's unit, or an error message."""
    given = (unit or "").strip()
    key = given.lower().replace(" ", "")
    if not spec.unit:
        return (value, None) if key in NO_UNIT else (None, _("takes no unit, got “%(unit)s”") % {"unit": given})
    if not key:
        return None, _("the unit is missing (expected %(unit)s)") % {"unit": spec.unit}
    if spec.unit.lower() == "mg/l":
        if key in MG_L:
            return value, None
        if key in UG_L:
            return value / 1000, None
    elif key == spec.unit.lower():
        return value, None
    return None, _("unit “%(unit)s” is not accepted (expected %(expected)s)") % {"unit": given, "expected": spec.unit}


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def clean_measurements(
    *, waterbody: str, source: str, measurements: list[dict], specs: dict, complete: bool = True
) -> list[dict]:
    """Check and normalise a sample's measurements; raise one ValidationError listing every problem."""
    errors, cleaned, seen = [], [], set()
    for item in measurements:
        code = item.get("parameter")
        spec = specs.get(code)
        if spec is None:
            errors.append(_("Unknown parameter “%(code)s”.") % {"code": code})
            continue
        label = str(spec)
        if code in seen:
            errors.append(_("%(parameter)s: given twice.") % {"parameter": label})
            continue
        seen.add(code)
        below = bool(item.get("below_detection_limit"))
        detection_limit = item.get("detection_limit")
        try:
            value = Decimal(str(item.get("value")))
            detection_limit = None if detection_limit in (None, "") else Decimal(str(detection_limit))
            if not value.is_finite() or (detection_limit is not None and not detection_limit.is_finite()):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(
                _("%(parameter)s: “%(value)s” is not a number.") % {"parameter": label, "value": item.get("value")}
            )
            continue
        if value < 0 or (detection_limit is not None and detection_limit < 0):
            errors.append(
                _("%(parameter)s: values cannot be negative (%(value)s).") % {"parameter": label, "value": value}
            )
            continue
        value, problem = _normalise_unit(spec, item.get("unit", ""), value)
        if problem:
            errors.append(f"{label}: {problem}.")
            continue
        if detection_limit is not None:
            detection_limit, _problem = _normalise_unit(spec, item.get("unit", ""), detection_limit)
        if below and detection_limit is None:
            errors.append(
                _("%(parameter)s: below the detection limit needs the detection limit.") % {"parameter": label}
            )
            continue
        if not (spec.plausible_min <= value <= spec.plausible_max):
            errors.append(
                _("%(parameter)s: %(value)s %(unit)s is not a plausible value (%(low)s–%(high)s).")
                % {
                    "parameter": label,
                    "value": _plain(value),
                    "unit": spec.unit,
                    "low": _plain(spec.plausible_min),
                    "high": _plain(spec.plausible_max),
                }
            )
            continue
        cleaned.append(
            {
                "parameter": code,
                "value": value,
                "unit": spec.unit,
                "below_detection_limit": below,
                "detection_limit": detection_limit,
            }
        )
    required = REQUIRED.get(source, REQUIRED[SampleSource.MANUAL]) + (LAKE_REQUIRED if waterbody == "lake" else ())
    missing = [str(specs[code]) for code in required if code in specs and code not in seen]
    if complete and missing and not errors:
        errors.append(_("Missing parameters: %(names)s.") % {"names": ", ".join(missing)})
    if errors:
        raise ValidationError({"measurements": errors})
    return cleaned


def _parameter_specs() -> dict:
    return {spec.code: spec for spec in WaterParameter.objects.all()}


def _refuse_if_settled(section_id, dates) -> None:
    """Samples a confirmed settlement was computed from can no longer change."""
    condition = Q()
    for day in dates:
        condition |= Q(period_start__lte=day, period_end__gte=day)
    locked = Settlement.objects.filter(
        condition, agreement__sections=section_id, status=SettlementStatus.CONFIRMED
    ).first()
    if locked is not None:
        raise DomainError(
            _("Settlement %(settlement)s was confirmed by both parties with this data; it cannot change.")
            % {"settlement": locked}
        )


def _derive_class(sample, measurements: list[dict], table: dict) -> None:
    values = {
        m["parameter"]: (m["detection_limit"] / 2 if m["below_detection_limit"] else m["value"]) for m in measurements
    }
    result = classify(values, sample.section.waterbody, table)
    sample.water_class = result["class"]
    sample.limiting_parameters = result["limiting"]


def sample_snapshot(sample) -> dict:
    data = snapshot(sample)
    data["measurements"] = {
        m.parameter: {"value": str(m.value), "unit": m.unit, "below_detection_limit": m.below_detection_limit}
        for m in sample.measurements.all()
    }
    return data


def _write_sample(*, sample, measurements: list[dict], table: dict) -> WaterSample:
    _derive_class(sample, measurements, table)
    sample.full_clean()
    sample.save()
    sample.measurements.all().delete()
    Measurement.objects.bulk_create([Measurement(sample=sample, **m) for m in measurements])
    return sample


def sample_save(
    *,
    actor,
    section: MonitoringSection,
    sampled_on: datetime.date,
    measurements: list[dict],
    source: str = SampleSource.MANUAL,
    note: str = "",
    instance: WaterSample | None = None,
) -> WaterSample:
    """Create or replace a sample with its measurements; its class is derived, never typed."""
    with transaction.atomic():
        before = None
        if instance is not None:
            require(actor, CHANGE, instance)
            instance = lock(instance)
            before = sample_snapshot(instance)
            _refuse_if_settled(instance.section_id, [instance.sampled_on])
        sample = instance or WaterSample()
        sample.section, sample.sampled_on, sample.source, sample.note = section, sampled_on, source, note
        require(actor, CHANGE if instance else ADD, sample)
        _refuse_if_settled(section.pk, [sampled_on])
        cleaned = clean_measurements(
            waterbody=section.waterbody, source=source, measurements=measurements, specs=_parameter_specs()
        )
        _write_sample(sample=sample, measurements=cleaned, table=load_limits())
        record_change(
            instance=sample,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            actor=actor,
            before=before,
            after=sample_snapshot(sample),
        )
        return sample


def sample_delete(*, actor, sample: WaterSample) -> None:
    with transaction.atomic():
        require(actor, DELETE, sample)
        _refuse_if_settled(sample.section_id, [sample.sampled_on])
        record_change(instance=sample, action=ChangeAction.DELETE, actor=actor, before=sample_snapshot(sample))
        sample.delete()


class ImportRejected(ValidationError):
    """A bulk upload refused as a whole; ``rows`` lists every bad line with its reason."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        super().__init__({"file": [_("Line %(line)s: %(reason)s") % row for row in rows]})


CSV_COLUMNS = ("section", "sampled_on", "parameter", "value", "unit")


def _csv_value(raw: str):
    """``<0.01`` or ``ND(0.01)`` mean below a detection limit of 0.01."""
    text = (raw or "").strip()
    if text.startswith("<"):
        return text[1:].strip(), True, text[1:].strip()
    if text.upper().startswith("ND(") and text.endswith(")"):
        return text[3:-1], True, text[3:-1]
    return text, False, None


def samples_import_csv(*, actor, file) -> dict:
    """Import a CSV of measurements, one per line (``section,sampled_on,parameter,value,unit``
    plus optional ``source,detection_limit,note``), grouped into samples by section, date and
    source. All or nothing: any bad line refuses the whole file, listing every bad line."""
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([{"line": 1, "reason": _("The file is not UTF-8 text.")}]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing_columns = [name for name in CSV_COLUMNS if name not in header]
    if missing_columns:
        raise ImportRejected(
            [{"line": 1, "reason": _("Missing columns: %(names)s.") % {"names": ", ".join(missing_columns)}}]
        )
    sections = {s.code: s for s in MonitoringSection.objects.prefetch_related("responsible_organizations")}
    specs = _parameter_specs()
    rows: list[dict] = []
    groups: dict[tuple, list] = defaultdict(list)
    rejected: set[tuple] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items()}
        problems = []
        section = sections.get(row.get("section"))
        if section is None:
            problems.append(_("unknown section “%(code)s”") % {"code": row.get("section")})
        try:
            day = datetime.date.fromisoformat(row.get("sampled_on", ""))
        except ValueError:
            problems.append(_("date “%(value)s” is not YYYY-MM-DD") % {"value": row.get("sampled_on")})
            day = None
        source = row.get("source") or SampleSource.MANUAL
        if source not in SampleSource.values:
            problems.append(_("unknown source “%(value)s”") % {"value": source})
        value, below, limit = _csv_value(row.get("value", ""))
        measurement = {
            "parameter": row.get("parameter"),
            "value": value,
            "unit": row.get("unit", ""),
            "below_detection_limit": below,
            "detection_limit": row.get("detection_limit") or limit,
        }
        if not problems:
            try:
                clean_measurements(
                    waterbody=section.waterbody, source=source, measurements=[measurement], specs=specs, complete=False
                )
            except ValidationError as exc:
                problems.extend(exc.message_dict["measurements"])
        if problems:
            rows.append({"line": number, "reason": "; ".join(str(p) for p in problems)})
            # Its sample is reported through this line; do not report it again as incomplete.
            rejected.add((row.get("section"), day, source))
            continue
        groups[(section.code, day, source)].append((number, measurement, row.get("note", "")))
    if not rows and not groups:
        rows.append({"line": 1, "reason": _("The file holds no measurements.")})
    existing = set()
    if groups:
        condition = Q()
        for code, day, source in groups:
            condition |= Q(section__code=code, sampled_on=day, source=source)
        existing = set(WaterSample.objects.filter(condition).values_list("section__code", "sampled_on", "source"))
    planned = []
    for (code, day, source), items in groups.items():
        if (code, day, source) in rejected:
            continue
        first_line = items[0][0]
        section = sections[code]
        if (code, day, source) in existing:
            rows.append(
                {
                    "line": first_line,
                    "reason": _("section %(code)s already has a sample on %(day)s") % {"code": code, "day": day},
                }
            )
            continue
        try:
            cleaned = clean_measurements(
                waterbody=section.waterbody, source=source, measurements=[m for _n, m, _t in items], specs=specs
            )
        except ValidationError as exc:
            reason = "; ".join(exc.message_dict["measurements"])
            rows.append({"line": first_line, "reason": f"{code} {day}: {reason}"})
            continue
        sample = WaterSample(section=section, sampled_on=day, source=source, note=items[0][2])
        if not can(actor, ADD, sample):
            rows.append(
                {"line": first_line, "reason": _("you may not add samples for section %(code)s") % {"code": code}}
            )
            continue
        planned.append((sample, cleaned))
    if rows:
        raise ImportRejected(sorted(rows, key=lambda row: row["line"]))
    with transaction.atomic():
        table = load_limits()
        by_section = defaultdict(list)
        for sample, _cleaned in planned:
            by_section[sample.section_id].append(sample.sampled_on)
        for section_id, dates in by_section.items():
            _refuse_if_settled(section_id, dates)
        for sample, cleaned in planned:
            _write_sample(sample=sample, measurements=cleaned, table=table)
            record_change(
                instance=sample,
                action=ChangeAction.CREATE,
                actor=actor,
                after=sample_snapshot(sample),
                message="CSV import",
            )
    return {"samples": len(planned), "measurements": sum(len(c) for _s, c in planned)}


# --- agreements and settlements -----------------------------------------------------------------


def agreement_transition(*, actor, agreement: CompensationAgreement, to: str, comment: str = ""):
    with transaction.atomic():
        agreement = lock(agreement)
        require(actor, CHANGE, agreement)
        return _transition(instance=agreement, lifecycle=AGREEMENT_LIFECYCLE, to=to, actor=actor, message=comment)


def _schedule_compute(settlement_id) -> None:
    from projects.compensation.tasks import compute_settlement

    transaction.on_commit(lambda: compute_settlement.delay(str(settlement_id)))


def settlement_request(*, actor, agreement: CompensationAgreement, period: str) -> Settlement:
    """Open a settlement for a period that has ended; a Celery task computes it."""
    with transaction.atomic():
        start, end = period_bounds(period, agreement.settlement_period)
        if end < agreement.start_date or start > agreement.end_date:
            raise ValidationError(
                {
                    "period": _("The period is outside the agreement (%(start)s – %(end)s).")
                    % {"start": agreement.start_date, "end": agreement.end_date}
                }
            )
        if end >= timezone.localdate():
            raise ValidationError({"period": _("The period has not ended yet.")})
        if agreement.status == AgreementStatus.DRAFT:
            raise DomainError(_("A draft agreement is not settled; put it in force first."))
        settlement = Settlement(agreement=agreement, period=period, period_start=start, period_end=end)
        require(actor, ADD, settlement)
        settlement.full_clean(exclude=["period_start", "period_end"])
        settlement.save()
        record_change(instance=settlement, action=ChangeAction.CREATE, actor=actor, after=snapshot(settlement))
        _schedule_compute(settlement.pk)
        return settlement


def settlement_compute(*, settlement: Settlement, actor=None) -> Settlement:
    """Compute (or recompute) from the recorded data. A locked settlement is refused.

    Confirmations survive a recomputation that changes nothing; otherwise they are cleared,
    since the parties confirmed other figures.
    """
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().select_related("agreement__rule").get(pk=settlement.pk)
        SETTLEMENT_LIFECYCLE.check(settlement.status, SettlementStatus.COMPUTED)
        before = snapshot(settlement)
        inputs = gather_inputs(settlement.agreement, settlement.period)
        result = calculate(inputs)
        new_digest = digest(inputs)
        changed = (new_digest, result["payer"], result["amount"]) != (
            settlement.input_digest,
            settlement.payer,
            settlement.amount,
        )
        settlement.inputs, settlement.steps, settlement.input_digest = inputs, result["steps"], new_digest
        settlement.payer, settlement.amount = result["payer"], result["amount"]
        settlement.status = SettlementStatus.COMPUTED
        if changed:
            settlement.computed_at = timezone.now()
            for side in Side.values:
                setattr(settlement, f"{side}_confirmed_by", None)
                setattr(settlement, f"{side}_confirmed_at", None)
        settlement.save()
        record_change(
            instance=settlement,
            action=ChangeAction.TRANSITION if before["status"] != settlement.status else ChangeAction.UPDATE,
            actor=actor,
            before=before,
            after=snapshot(settlement),
            message=_("Computed") if changed else "",
        )
        return settlement


def settlement_recompute(*, actor, settlement: Settlement) -> Settlement:
    """Ask for a recomputation (by the task); refused once the settlement is locked."""
    with transaction.atomic():
        settlement = lock(settlement)
        require(actor, CHANGE, settlement)
        SETTLEMENT_LIFECYCLE.check(settlement.status, SettlementStatus.COMPUTED)
        _schedule_compute(settlement.pk)
        return settlement


def _side_of(actor, agreement, side: str | None) -> str:
    sides = [s for s in Side.values if agreement.party_province_id(s) == actor.province_id]
    if side:
        if side not in sides:
            raise ValidationError({"side": _("You do not act for the %(side)s party.") % {"side": Side(side).label}})
        return side
    if len(sides) != 1:
        raise ValidationError({"side": _("Say which party you confirm for: upstream or downstream.")})
    return sides[0]


def settlement_confirm(*, actor, settlement: Settlement, side: str | None = None) -> Settlement:
    """One party confirms the computed figures; when both have, the settlement is locked."""
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().select_related("agreement").get(pk=settlement.pk)
        require(actor, TRANSITION, settlement)
        if settlement.status != SettlementStatus.COMPUTED:
            SETTLEMENT_LIFECYCLE.check(settlement.status, SettlementStatus.CONFIRMED)
        side = _side_of(actor, settlement.agreement, side)
        if getattr(settlement, f"{side}_confirmed_at"):
            raise DomainError(_("The %(side)s party has confirmed already.") % {"side": Side(side).label})
        before = snapshot(settlement)
        setattr(settlement, f"{side}_confirmed_by", actor)
        setattr(settlement, f"{side}_confirmed_at", timezone.now())
        both = settlement.upstream_confirmed_at and settlement.downstream_confirmed_at
        if both:
            settlement.status = SettlementStatus.CONFIRMED
        settlement.save()
        record_change(
            instance=settlement,
            action=ChangeAction.TRANSITION if both else ChangeAction.UPDATE,
            actor=actor,
            before=before,
            after=snapshot(settlement),
            message=_("Confirmed by the %(side)s party") % {"side": Side(side).label},
        )
        return settlement


def _periods_between(agreement, until: datetime.date) -> list[str]:
    periods, day = [], agreement.start_date.replace(day=1)
    while day <= min(agreement.end_date, until):
        if agreement.settlement_period == "month":
            label = f"{day.year}-{day.month:02d}"
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            label = str(day.year)
            day = datetime.date(day.year + 1, 1, 1)
        _start, end = period_bounds(label, agreement.settlement_period)
        if end < until:
            periods.append(label)
    return periods


def settlements_schedule_due(*, today: datetime.date | None = None) -> list[str]:
    """Open the settlements of in-force agreements for every ended period that has none."""
    today = today or timezone.localdate()
    opened = []
    for agreement in CompensationAgreement.objects.filter(status=AgreementStatus.IN_FORCE):
        done = set(agreement.settlements.values_list("period", flat=True))
        for period in _periods_between(agreement, today):
            if period in done:
                continue
            with transaction.atomic():
                start, end = period_bounds(period, agreement.settlement_period)
                settlement = Settlement.objects.create(
                    agreement=agreement, period=period, period_start=start, period_end=end
                )
                record_change(
                    instance=settlement, action=ChangeAction.CREATE, after=snapshot(settlement), message="schedule"
                )
                _schedule_compute(settlement.pk)
            opened.append(str(settlement))
    return opened


# --- the compensation fund ----------------------------------------------------------------------


def check_fund_balance(fund: CompensationFund) -> None:
    """The balance may never be negative, at any date: a payment needs money already paid in."""
    movements = defaultdict(int)
    for day, amount in FundContribution.objects.filter(fund=fund).values_list("received_on", "amount"):
        movements[day] += amount
    for day, amount in FundAllocation.objects.filter(fund=fund).values_list("allocated_on", "amount"):
        movements[day] -= amount
    balance = 0
    for day in sorted(movements):
        balance += movements[day]
        if balance < 0:
            raise DomainError(
                _("The fund would be overdrawn on %(day)s: its balance would be %(balance)s yuan.")
                % {"day": day.isoformat(), "balance": f"{balance:,}"},
                balance=balance,
                date=day.isoformat(),
            )


def lock_fund(fund_id) -> CompensationFund:
    """Lock the fund row until the transaction ends: movements are then checked one at a time."""
    return CompensationFund.objects.select_for_update().get(pk=fund_id)


def fund_balance(fund: CompensationFund, on: datetime.date | None = None) -> int:
    contributions = FundContribution.objects.filter(fund=fund)
    allocations = FundAllocation.objects.filter(fund=fund)
    if on:
        contributions, allocations = contributions.filter(received_on__lte=on), allocations.filter(allocated_on__lte=on)
    paid_in = contributions.aggregate(total=Sum("amount"))["total"] or 0
    paid_out = allocations.aggregate(total=Sum("amount"))["total"] or 0
    return paid_in - paid_out


def _fund_write(*, actor, model, values: dict, instance=None):
    with transaction.atomic():
        funds = {values.get("fund") or getattr(instance, "fund", None)}
        if instance is not None:
            funds.add(instance.fund)
        # Lock the fund rows (in a stable order) so concurrent movements are checked one by one.
        locked = list(
            CompensationFund.objects.select_for_update().filter(pk__in=[f.pk for f in funds if f]).order_by("pk")
        )
        obj = _save_plain(actor=actor, model=model, values=values, instance=instance)
        for fund in locked:
            check_fund_balance(fund)
        return obj


def fund_contribution_save(*, actor, values: dict, instance: FundContribution | None = None) -> FundContribution:
    return _fund_write(actor=actor, model=FundContribution, values=values, instance=instance)


def fund_allocation_save(*, actor, values: dict, instance: FundAllocation | None = None) -> FundAllocation:
    return _fund_write(actor=actor, model=FundAllocation, values=values, instance=instance)


def fund_movement_delete(*, actor, instance) -> None:
    from projects.core.services import delete_tracked

    with transaction.atomic():
        fund = CompensationFund.objects.select_for_update().get(pk=instance.fund_id)
        delete_tracked(actor=actor, instance=instance)
        check_fund_balance(fund)


# --- standards --------------------------------------------------------------------------------


def standard_transition(*, actor, standard: Standard, to: str, comment: str = "") -> Standard:
    """Publish or supersede a standard. Publishing one that replaces others supersedes them."""
    with transaction.atomic():
        standard = lock(standard)
        require(actor, CHANGE, standard)
        if to == StandardStatus.PUBLISHED and not standard.effective_date:
            raise ValidationError({"effective_date": _("A published standard needs its effective date.")})
        _transition(instance=standard, lifecycle=STANDARD_LIFECYCLE, to=to, actor=actor, message=comment)
        if to == StandardStatus.PUBLISHED:
            for old in standard.replaces.select_for_update().filter(status=StandardStatus.PUBLISHED):
                _transition(
                    instance=old,
                    lifecycle=STANDARD_LIFECYCLE,
                    to=StandardStatus.SUPERSEDED,
                    actor=actor,
                    message=_("Replaced by %(code)s") % {"code": standard.code},
                )
        return standard


# --- ecological products and trades -------------------------------------------------------------

COUNTED_TRADES = (TradeStatus.AGREED, TradeStatus.SETTLED)


def sold_quantity(product, *, listing=None, exclude_pk=None) -> Decimal:
    trades = Trade.objects.filter(product=product, status__in=COUNTED_TRADES)
    if listing is not None:
        trades = trades.filter(listing=listing)
    if exclude_pk is not None:
        trades = trades.exclude(pk=exclude_pk)
    return trades.aggregate(total=Sum("quantity"))["total"] or Decimal("0")


def lock_product_for_quantity(product: EcologicalProduct) -> None:
    """Lock the stored product and refuse a quantity below what is sold already."""
    lock(product)
    sold = sold_quantity(product)
    if product.quantity < sold:
        raise DomainError(_("%(sold)s %(unit)s of it are sold already.") % {"sold": sold, "unit": product.unit})


def product_save(*, actor, values: dict, instance: EcologicalProduct | None = None) -> EcologicalProduct:
    with transaction.atomic():
        if instance is not None:
            lock(instance)
            sold = sold_quantity(instance)
            if "quantity" in values and values["quantity"] < sold:
                raise ValidationError(
                    {"quantity": _("%(sold)s %(unit)s of it are sold already.") % {"sold": sold, "unit": instance.unit}}
                )
        return _save_plain(actor=actor, model=EcologicalProduct, values=values, instance=instance)


def listing_save(*, actor, values: dict, instance: ProductListing | None = None) -> ProductListing:
    with transaction.atomic():
        if instance is not None and instance.status != ListingStatus.OPEN:
            raise DomainError(_("Only open listings can change."))
        return _save_plain(actor=actor, model=ProductListing, values=values, instance=instance)


def listing_transition(*, actor, listing: ProductListing, to: str) -> ProductListing:
    with transaction.atomic():
        listing = lock(listing)
        require(actor, CHANGE, listing)
        return _transition(instance=listing, lifecycle=LISTING_LIFECYCLE, to=to, actor=actor)


def trade_create(
    *,
    actor,
    product: EcologicalProduct,
    buyer,
    quantity: Decimal,
    unit_price: Decimal,
    traded_on: datetime.date,
    listing: ProductListing | None = None,
    note: str = "",
    is_demo: bool = False,
) -> Trade:
    """Record a sale. The product row is locked, so concurrent trades never sell more than remains."""
    with transaction.atomic():
        product = EcologicalProduct.objects.select_for_update().select_related("owner").get(pk=product.pk)
        trade = Trade(
            product=product,
            listing=listing,
            seller=product.owner,
            buyer=buyer,
            quantity=quantity,
            unit_price=unit_price,
            traded_on=traded_on,
            note=note,
            is_demo=is_demo,
        )
        require(actor, ADD, trade)
        trade.amount = int((quantity * unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        trade.full_clean()
        if listing is not None:
            listing = ProductListing.objects.select_for_update().get(pk=listing.pk)
            if listing.product_id != product.pk:
                raise ValidationError({"listing": _("The listing offers another product.")})
            if listing.status != ListingStatus.OPEN:
                raise DomainError(_("The listing is no longer open."))
            left = listing.quantity - sold_quantity(product, listing=listing)
            if quantity > left:
                raise DomainError(
                    _("The listing has %(left)s %(unit)s left; %(quantity)s were asked for.")
                    % {"left": left, "unit": product.unit, "quantity": quantity},
                    remaining=str(left),
                )
        remaining = product.quantity - sold_quantity(product)
        if quantity > remaining:
            raise DomainError(
                _("Only %(remaining)s %(unit)s of “%(product)s” remain; %(quantity)s cannot be sold.")
                % {"remaining": remaining, "unit": product.unit, "product": product.name, "quantity": quantity},
                remaining=str(remaining),
            )
        trade.save()
        record_change(instance=trade, action=ChangeAction.CREATE, actor=actor, after=snapshot(trade))
        return trade


def trade_transition(*, actor, trade: Trade, to: str, comment: str = "") -> Trade:
    with transaction.atomic():
        trade = Trade.objects.select_for_update().select_related("seller", "buyer").get(pk=trade.pk)
        require(actor, TRANSITION, trade)
        return _transition(instance=trade, lifecycle=TRADE_LIFECYCLE, to=to, actor=actor, message=comment)
