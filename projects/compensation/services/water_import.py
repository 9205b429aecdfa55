"""The bulk CSV import of water-quality samples: all or nothing, every bad line reported."""

import csv
import datetime
import io
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
    check_sample_date,
    clean_measurements,
    parameter_specs,
    sample_writer,
)
from projects.core.services import tracked_save
from projects.permissions import ADD, can

IMPORTED = "compensation.watersample.imported"


class ImportRejected(ValidationError):
    """A bulk upload refused as a whole; ``rows`` lists every bad line with its reason."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        super().__init__({"file": [_("Line %(line)s: %(reason)s") % row for row in rows]})


CSV_COLUMNS = ("section", "sampled_on", "parameter", "value", "unit")


def _read_rows(file):
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
    return reader


def sample_import_csv(*, actor, file) -> dict:
    """Import a CSV of measurements, one per line (``section,sampled_on,parameter,value,unit``
    plus optional ``source,detection_limit,note``), grouped into samples by section, date and
    source. All or nothing: any bad line refuses the whole file, listing every bad line.

    Each sample is written by the same service as one sent alone, with the event
    ``compensation.watersample.imported`` in its history.
    """
    reader = _read_rows(file)
    sections = {s.code: s for s in MonitoringSection.objects.prefetch_related("responsible_organizations")}
    specs = parameter_specs()
    rows: list[dict] = []
    groups: dict[tuple, list] = defaultdict(list)
    rejected: set[tuple] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if isinstance(value, str)}
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
        measurements = [m for _n, m, _t in items]
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
        for data in planned:
            tracked_save(
                actor=actor, instance=None, write=sample_writer(data, table=table, specs=specs), event=IMPORTED
            )
    return {"samples": len(planned), "measurements": sum(len(data["measurements"]) for data in planned)}
