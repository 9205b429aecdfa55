"""Writes of the water-quality records: the GB 3838 tables, monitoring sections and samples.

A sample's class is derived from its measurements (``evaluation.classify``), never typed in;
its measurements are checked here, for every face (API, admin, CSV import, demo).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.compensation.choices import SampleSource
from projects.compensation.evaluation import classify, load_limits
from projects.compensation.models import Measurement, MonitoringSection, QualityLimit, WaterParameter, WaterSample
from projects.compensation.numbers import parse_decimal, plain
from projects.compensation.services.locks import refuse_if_settled, refuse_section_change
from projects.core.services import (
    apply_fields,
    plain_delete,
    plain_save,
    save_changed,
    set_relations,
    tracked_delete,
    tracked_save,
)

# --- the GB 3838-2002 tables (reference data) -------------------------------------------------

parameter_save = plain_save(WaterParameter)
parameter_delete = plain_delete
limit_save = plain_save(QualityLimit)
limit_delete = plain_delete


# --- monitoring sections ----------------------------------------------------------------------

_SECTION_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "river",
    "corridor",
    "waterbody",
    "location",
    "responsible_organizations",
    "target_class",
    "is_national",
    "description",
)


def section_save(*, actor, instance: MonitoringSection | None = None, data: dict, expected_version=None):
    """Create or change a monitoring section (its responsible parties included). The code, water
    body and target class of a section a confirmed settlement used do not change (409)."""
    fields = {key: value for key, value in data.items() if key in _SECTION_FIELDS}

    def write(current):
        section = current if current is not None else MonitoringSection()
        changes = apply_fields(section, fields)
        if current is not None:
            refuse_section_change(current, changes.names)
        section.full_clean()
        if current is None:
            section.save()
        set_relations(section, changes)
        save_changed(section, changes, created=current is None)
        return section

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def section_delete(*, actor, instance: MonitoringSection, expected_version=None) -> None:
    """Delete a section without samples (the database protects them: 409), unless a confirmed
    settlement was judged on it (409)."""
    tracked_delete(
        actor=actor,
        instance=instance,
        expected_version=expected_version,
        check=lambda section: refuse_section_change(section, ["code"]),
    )


# --- measurements -----------------------------------------------------------------------------

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


def parameter_specs() -> dict:
    return {spec.code: spec for spec in WaterParameter.objects.all()}


# Storage keeps 10 decimal places (Hg class I is 0.00005 mg/L) and 8 integer digits
# (``Measurement.value``), and SpatiaLite keeps 15 significant digits exactly; a value needing
# more is refused, never rounded.
STORED_PLACES = 10
STORED_INTEGER_DIGITS = 8
STORED_DIGITS = 15


def below_limit_text(value):
    """``<0.01`` or ``ND(0.01)``: below a detection limit of 0.01 (JSON and CSV alike).
    Returns (number text, below the detection limit, the limit it names)."""
    if not isinstance(value, str):
        return value, False, None
    text = value.strip()
    if text.startswith("<"):
        return text[1:].strip(), True, text[1:].strip()
    if text.upper().startswith("ND(") and text.endswith(")"):
        return text[3:-1].strip(), True, text[3:-1].strip()
    return text, False, None


def storable(number: Decimal) -> bool:
    """Whether the value is stored exactly (no rounding by the database)."""
    _sign, digits, exponent = number.normalize().as_tuple()
    places = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    return places <= STORED_PLACES and integer_digits <= STORED_INTEGER_DIGITS and len(digits) <= STORED_DIGITS


def clean_measurements(
    *, waterbody: str, source: str, measurements: list[dict], specs: dict, complete: bool = True
) -> list[dict]:
    """Check and normalise a sample's measurements; raise one ValidationError listing every problem.

    A value ``<x`` (or ``ND(x)``) is below a detection limit of x. Values are exact decimals in
    the parameter's unit; one that cannot be stored exactly is refused, never rounded.
    """
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
        raw, below_sign, named_limit = below_limit_text(item.get("value"))
        below = bool(item.get("below_detection_limit")) or below_sign
        detection_limit = item.get("detection_limit")
        if named_limit is not None and detection_limit not in (None, ""):
            try:
                if parse_decimal(named_limit) != parse_decimal(detection_limit):
                    errors.append(
                        _("%(parameter)s: “%(value)s” names another detection limit than %(limit)s.")
                        % {"parameter": label, "value": item.get("value"), "limit": detection_limit}
                    )
                    continue
            except ValueError:
                pass  # reported below as not a number
        if detection_limit in (None, ""):
            detection_limit = named_limit
        try:
            value = parse_decimal(raw)
            detection_limit = None if detection_limit in (None, "") else parse_decimal(detection_limit)
        except ValueError:
            errors.append(
                _("%(parameter)s: “%(value)s” is not a number.") % {"parameter": label, "value": item.get("value")}
            )
            continue
        if value < 0 or (detection_limit is not None and detection_limit < 0):
            errors.append(
                _("%(parameter)s: values cannot be negative (%(value)s).") % {"parameter": label, "value": plain(value)}
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
        unstored = [number for number in (value, detection_limit) if number is not None and not storable(number)]
        if unstored:
            errors.append(
                _(
                    "%(parameter)s: %(value)s %(unit)s cannot be stored exactly (at most %(places)s decimal "
                    "places and %(digits)s significant digits); it is not rounded: give the value as reported."
                )
                % {
                    "parameter": label,
                    "value": plain(unstored[0]),
                    "unit": spec.unit,
                    "places": STORED_PLACES,
                    "digits": STORED_DIGITS,
                }
            )
            continue
        if not (spec.plausible_min <= value <= spec.plausible_max):
            errors.append(
                _("%(parameter)s: %(value)s %(unit)s is not a plausible value (%(low)s–%(high)s).")
                % {
                    "parameter": label,
                    "value": plain(value),
                    "unit": spec.unit,
                    "low": plain(spec.plausible_min),
                    "high": plain(spec.plausible_max),
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


def check_sample_date(day) -> None:
    """A sample is taken on a day that has come."""
    if day is not None and day > timezone.localdate():
        raise ValidationError({"sampled_on": _("A sample cannot be dated in the future (%(day)s).") % {"day": day}})


def _stored_measurements(sample: WaterSample) -> list[dict]:
    return [
        {
            "parameter": m.parameter,
            "value": m.value,
            "unit": m.unit,
            "below_detection_limit": m.below_detection_limit,
            "detection_limit": m.detection_limit,
        }
        for m in sample.measurements.all()
    ]


_MEASUREMENT_FIELDS = ("value", "unit", "below_detection_limit", "detection_limit")


def _replace_measurements(sample: WaterSample, cleaned: list[dict]) -> bool:
    """Make the sample's rows exactly ``cleaned``, touching only what differs. True if anything changed."""
    wanted = {row["parameter"]: row for row in cleaned}
    removed, _counts = sample.measurements.exclude(parameter__in=wanted).delete()
    changed = bool(removed)
    stored = {row.parameter: row for row in sample.measurements.all()}
    for parameter, row in wanted.items():
        measurement = stored.get(parameter)
        if measurement is None:
            Measurement.objects.create(sample=sample, **row)
            changed = True
            continue
        values = {name: row[name] for name in _MEASUREMENT_FIELDS}
        if any(getattr(measurement, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(measurement, name, value)
            measurement.full_clean(exclude=["sample"])
            measurement.save()
            changed = True
    return changed


def derived_class(waterbody: str, cleaned: list[dict], table: dict) -> dict:
    """The single-factor class of one sample's measurements (half the detection limit below it)."""
    values = {m["parameter"]: (m["detection_limit"] / 2 if m["below_detection_limit"] else m["value"]) for m in cleaned}
    return classify(values, waterbody, table)


_SAMPLE_FIELDS = ("section", "sampled_on", "source", "note")


def sample_writer(data: dict, *, table: dict | None = None, specs: dict | None = None):
    """The ``write`` of a sample for ``tracked_save``; ``data`` holds only what the request sets.

    Without ``measurements`` the stored ones are kept (and checked again: a change of section or
    source may require other parameters). The class and the limiting parameters follow.
    """
    fields = {key: value for key, value in data.items() if key in _SAMPLE_FIELDS}
    measurements = data.get("measurements")

    def write(current: WaterSample | None) -> WaterSample:
        sample = current if current is not None else WaterSample()
        if current is not None:
            refuse_if_settled(current.section_id, [current.sampled_on])
        changes = apply_fields(sample, fields)
        if sample.section_id is None:
            raise ValidationError({"section": _("Name the monitoring section.")})
        check_sample_date(sample.sampled_on)
        if sample.sampled_on is not None:
            refuse_if_settled(sample.section_id, [sample.sampled_on])
        given = measurements if measurements is not None else _stored_measurements(sample) if current else []
        cleaned = clean_measurements(
            waterbody=sample.section.waterbody,
            source=sample.source,
            measurements=given,
            specs=specs if specs is not None else parameter_specs(),
        )
        result = derived_class(sample.section.waterbody, cleaned, table if table is not None else load_limits())
        changes.add("water_class", sample.water_class != result["class"])
        changes.add("limiting_parameters", sample.limiting_parameters != result["limiting"])
        sample.water_class, sample.limiting_parameters = result["class"], result["limiting"]
        sample.full_clean()
        if current is None:
            try:
                with transaction.atomic():
                    sample.save()
            except IntegrityError as exc:  # a parallel request took the same section, date and source
                raise ValidationError(
                    {"sampled_on": _("This section already has a sample of this source on this date.")}
                ) from exc
        changes.add("measurements", _replace_measurements(sample, cleaned))
        save_changed(sample, changes, created=current is None)
        return sample

    return write


def sample_save(*, actor, instance: WaterSample | None = None, data: dict, expected_version=None) -> WaterSample:
    """Create a sample, or change the fields ``data`` names (``measurements``: the full list).

    Samples a confirmed settlement used cannot change (409).
    """
    return tracked_save(
        actor=actor,
        instance=instance,
        write=sample_writer(data),
        expected_version=expected_version,
        related=("section",),
    )


def sample_delete(*, actor, instance: WaterSample, expected_version=None) -> None:
    """Delete a sample, unless a confirmed settlement used it (409)."""
    tracked_delete(
        actor=actor,
        instance=instance,
        expected_version=expected_version,
        check=lambda sample: refuse_if_settled(sample.section_id, [sample.sampled_on]),
    )
