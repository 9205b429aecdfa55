"""The bulk CSV import of water-quality samples: all or nothing, every bad line reported."""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from projects.compensation.choices import SampleSource, SettlementStatus
from projects.compensation.evaluation import load_limits
from projects.compensation.models import MonitoringSection, WaterSample
from projects.compensation.services.locks import settlements_covering
from projects.compensation.services.water import (
    _MEASUREMENT_FIELDS,
    _stored_measurements,
    check_sample_date,
    clean_measurements,
    parameter_specs,
    sample_writer,
)
from projects.core.imports import ImportRejected, open_table
from projects.core.services import tracked_save
from projects.permissions import ADD, can

IMPORTED = "compensation.watersample.imported"


CSV_COLUMNS = ("section", "sampled_on", "parameter", "value", "unit")


def _read_rows(file):
    header, rows = open_table(file)
    missing_columns = [name for name in CSV_COLUMNS if name not in header]
    if missing_columns:
        raise ImportRejected(
            [{"line": 1, "reason": _("Missing columns: %(names)s.") % {"names": ", ".join(missing_columns)}}]
        )
    return rows


def _same_measurements(sample: WaterSample, cleaned: list[dict]) -> bool:
    def key(row):
        return (row["parameter"], *(row.get(name) for name in _MEASUREMENT_FIELDS))

    return sorted(map(key, _stored_measurements(sample))) == sorted(map(key, cleaned))


def sample_import_csv(*, actor, file, dry_run: bool = False, progress=None) -> dict:
    """Import a CSV or XLSX of measurements, one per line (``section,sampled_on,parameter,value,unit``
    plus optional ``source,detection_limit,note``), grouped into samples by section, date and
    source. All or nothing: any bad line refuses the whole file, listing every bad line.

    Each sample is written by the same service as one sent alone, with the event
    ``compensation.watersample.imported`` in its history. A sample already stored with the same
    measurements is left as it is (``unchanged``: the same file imported again changes nothing);
    a dry run checks and writes everything, then rolls it back. ``progress`` is told how many
    lines are written as the samples are.
    """
    reader = _read_rows(file)
    sections = {s.code: s for s in MonitoringSection.objects.prefetch_related("responsible_organizations")}
    specs = parameter_specs()
    rows: list[dict] = []
    groups: dict[tuple, list] = defaultdict(list)
    rejected: set[tuple] = set()
    for number, row in reader:
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
        if day is not None:
            try:
                check_sample_date(day)
            except ValidationError as exc:
                problems.extend(exc.message_dict["sampled_on"])
        # "<0.01" or "ND(0.01)": below a detection limit of 0.01, read by clean_measurements.
        measurement = {
            "parameter": row.get("parameter"),
            "value": row.get("value", ""),
            "unit": row.get("unit", ""),
            "detection_limit": row.get("detection_limit") or None,
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
    existing = {}
    if groups:
        condition = Q()
        for code, day, source in groups:
            condition |= Q(section__code=code, sampled_on=day, source=source)
        stored = WaterSample.objects.filter(condition).select_related("section").prefetch_related("measurements")
        existing = {(s.section.code, s.sampled_on, s.source): s for s in stored}
    planned = []
    unchanged = 0
    for (code, day, source), items in groups.items():
        if (code, day, source) in rejected:
            continue
        first_line = items[0][0]
        section = sections[code]
        measurements = [m for _n, m, _t in items]
        if (code, day, source) in existing:
            try:
                cleaned = clean_measurements(
                    waterbody=section.waterbody, source=source, measurements=measurements, specs=specs
                )
            except ValidationError:
                cleaned = None
            if cleaned is not None and _same_measurements(existing[(code, day, source)], cleaned):
                unchanged += 1
                continue
            rows.append(
                {
                    "line": first_line,
                    "reason": _("section %(code)s already has a sample on %(day)s") % {"code": code, "day": day},
                }
            )
            continue
        try:
            clean_measurements(waterbody=section.waterbody, source=source, measurements=measurements, specs=specs)
        except ValidationError as exc:
            reason = "; ".join(exc.message_dict["measurements"])
            rows.append({"line": first_line, "reason": f"{code} {day}: {reason}"})
            continue
        if not can(actor, ADD, WaterSample(section=section, sampled_on=day, source=source)):
            rows.append(
                {"line": first_line, "reason": _("you may not add samples for section %(code)s") % {"code": code}}
            )
            continue
        locked = settlements_covering(section.pk, [day]).filter(status=SettlementStatus.CONFIRMED).first()
        if locked is not None:
            rows.append(
                {
                    "line": first_line,
                    "reason": _("settlement %(settlement)s was confirmed with the data of %(day)s; it cannot change")
                    % {"settlement": locked, "day": day},
                }
            )
            continue
        planned.append(
            {"section": section, "sampled_on": day, "source": source, "note": items[0][2], "measurements": measurements}
        )
    if rows:
        raise ImportRejected(sorted(rows, key=lambda row: row["line"]))
    table = load_limits()
    with transaction.atomic():
        written = 0
        for data in planned:
            if progress is not None:
                progress(written)
            written += len(data["measurements"])
            tracked_save(
                actor=actor, instance=None, write=sample_writer(data, table=table, specs=specs), event=IMPORTED
            )
        if dry_run:
            transaction.set_rollback(True)
    return {
        "dry_run": dry_run,
        "samples": len(planned),
        "measurements": sum(len(data["measurements"]) for data in planned),
        "unchanged": unchanged,
    }
