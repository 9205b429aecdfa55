"""Scale data for benchmarks: many realistic, varied projects, reports and samples, written fast.

A fixture generator, not a face: it bypasses the write services on purpose (they check
permissions, lock, re-read and record history per row, 770–1,730 rows/s; this path writes
thousands to tens of thousands of rows per second through PostgreSQL's COPY, or multi-row inserts
elsewhere; docs/benchmarks.md). What
the services would derive is computed here the same way (provinces and cross-regional from the
organizations, measured extents from the geometry, samples' class from the GB 3838 table,
plan items' planned investment from their funding).

History: one ``create`` change record per project, so the changes feed and a full sync have
something realistic to replay; the rows under a project (reports, values, targets, plan items)
and the samples get none, as a bulk import of old records would not.

Every id is derived from the row's place (``uuid5``), so running it again writes only what is
missing: a project already there is skipped with everything under it, in batches that each
commit on their own. Memory stays bounded: rows are produced batch by batch and dropped. On
PostgreSQL the water samples and their measurements (35 M rows at full scale) are written by the
database itself, a statement per 100,000 samples; a sample is skipped when its place (section,
date, source) is already sampled.
"""

import datetime
import json
import os
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import connection, models, transaction
from django.utils import timezone

NAMESPACE = uuid.UUID("6f1d3a0e-2b7c-4c55-9a57-5ca1e0000018")
PROVINCE_PREFIX = {"510000": "SCS", "500000": "CQS", "520000": "GZS"}  # S for scale: never a demo code
FIRST_YEAR, YEARS = 2021, 15  # the corridor plan's fifteen years
PLAN_YEARS = (2024, 2025, 2026)
MEETING_NUMBERS = range(101, 107)  # far from the demo's 1–4
SAMPLE_DAYS = 5475  # fifteen years of daily samples per section
PARAMETERS = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp")


def stable_id(kind: str, *parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, parts)]))


class Writer:
    """Writes rows (dicts of attribute names) to a model's table: COPY on PostgreSQL, multi-row
    inserts elsewhere. Counts what it wrote per table."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.written: dict[str, int] = {}

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        self.written[table] = self.written.get(table, 0) + len(rows)
        if not self.postgres:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
            return
        names = list(rows[0])
        fields = [model._meta.get_field(name) for name in names]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        convert = [self._converter(f) for f in fields]
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([c(row[n]) for c, n in zip(convert, names, strict=True)])

    @staticmethod
    def _converter(field) -> Callable:
        if isinstance(field, models.JSONField):
            return lambda value: None if value is None else json.dumps(value)
        if hasattr(field, "geom_type"):
            return lambda value: None if value is None else value.hexewkb.decode()
        return lambda value: value


def _tracked(pk: uuid.UUID, when: datetime.datetime) -> dict:
    return {"id": pk, "created_at": when, "updated_at": when, "version": 1}


@dataclass
class Reference:
    """The reference data the rows point at, read once."""

    provinces: dict  # code -> Province
    shapes: dict  # province code -> (PreparedGeometry, extent)
    organizations: dict  # province code -> [Organization]
    corridors: dict  # province code -> [Corridor]
    divisions: dict  # province code -> [Division]
    key_areas: dict  # province code -> [KeyArea]
    elements: list
    measures: list
    sources: list
    indicators: list  # reported indicators whose figures add up (sum over time)
    reporters: dict  # province code -> User
    reviewer: object
    counted: set = field(default_factory=set)


def _reference() -> Reference:
    from projects.core.choices import OrganizationKind, Role
    from projects.core.models import Corridor, Division, KeyArea, Organization, Province, User
    from projects.restoration.choices import Aggregation
    from projects.restoration.models import EcosystemElement, FundingSource, Indicator, MeasureType

    provinces = {p.code: p for p in Province.objects.filter(code__in=PROVINCE_PREFIX)}
    shapes = {}
    for code, province in provinces.items():
        outline = province.outline or GEOSGeometry("SRID=4326;POINT(105 30)").buffer(1)
        shapes[code] = (PreparedGeometry(outline), outline.extent)
    # A few local agencies per province besides the provincial ones, as in real plans.
    for code, province in provinces.items():
        for n in range(1, 13):
            Organization.objects.get_or_create(
                slug=f"scale-{code}-{n:02d}",
                defaults={
                    "name_zh": f"{province.name_zh}第{n}区县自然资源局（模拟）",
                    "name_en": f"{province.name_en} county bureau {n} (generated)",
                    "kind": OrganizationKind.LOCAL_AUTHORITY,
                    "province": province,
                },
            )
    organizations = {code: [] for code in provinces}
    for org in Organization.objects.filter(province__code__in=provinces).select_related("province"):
        organizations[org.province.code].append(org)
    corridors = {code: [] for code in provinces}
    for corridor in Corridor.objects.prefetch_related("provinces"):
        for province in corridor.provinces.all():
            if province.code in corridors:
                corridors[province.code].append(corridor)
    divisions = {code: [] for code in provinces}
    for division in Division.objects.select_related("province").only("id", "province__code"):
        if division.province.code in divisions:
            divisions[division.province.code].append(division)
    key_areas = {code: [] for code in provinces}
    for area in KeyArea.objects.prefetch_related("provinces"):
        for province in area.provinces.all():
            if province.code in key_areas:
                key_areas[province.code].append(area)
    reporters = {}
    for code in provinces:
        reporters[code], _ = User.objects.get_or_create(
            username=f"scale-reporter-{code}",
            defaults={"role": Role.PROVINCIAL_STAFF, "organization": organizations[code][0], "is_active": False},
        )
    reviewer, _ = User.objects.get_or_create(
        username="scale-joint-office",
        defaults={
            "role": Role.JOINT_OFFICE,
            "organization": Organization.objects.filter(province=None).first(),
            "is_active": False,
        },
    )
    # Areas by ecosystem type where the catalogue has them (restored area is derived from them).
    summed = Indicator.objects.filter(aggregation=Aggregation.SUM, components=None).order_by("code")
    indicators = list(summed.exclude(derived=None).distinct()) or list(summed)
    return Reference(
        provinces=provinces,
        shapes=shapes,
        organizations=organizations,
        corridors=corridors,
        divisions=divisions,
        key_areas=key_areas,
        elements=list(EcosystemElement.objects.all()),
        measures=list(MeasureType.objects.all()),
        sources=list(FundingSource.objects.order_by("sort_order", "code")[:3]),
        indicators=indicators,
        reporters=reporters,
        reviewer=reviewer,
    )


def _point_inside(rng: random.Random, shape) -> Point:
    prepared, (xmin, ymin, xmax, ymax) = shape
    for _attempt in range(200):
        point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
        if prepared.contains(point):
            return point
    return Point((xmin + xmax) / 2, (ymin + ymax) / 2, srid=4326)


def _geometry(rng: random.Random, shape) -> GEOSGeometry:
    """A plot (polygon of a few hundred hectares), a stretch of bank (line) or a site (point)."""
    centre = _point_inside(rng, shape)
    x, y = centre.x, centre.y
    kind = rng.random()
    if kind < 0.5:
        d = rng.uniform(0.005, 0.03)
        return Polygon(((x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d), (x - d, y - d)), srid=4326)
    if kind < 0.8:
        dx, dy = rng.uniform(0.01, 0.08), rng.uniform(-0.03, 0.03)
        return GEOSGeometry(f"SRID=4326;LINESTRING({x} {y}, {x + dx} {y + dy})")
    return centre


STATUS_WEIGHTS = {  # most projects are under way; some wait, finish, stop
    "proposed": 8,
    "approved": 10,
    "in_progress": 50,
    "completed": 12,
    "accepted": 12,
    "suspended": 5,
    "cancelled": 3,
}
REPORTING = ("in_progress", "completed", "accepted", "suspended")


@dataclass
class Batch:
    """The rows of one batch of projects, by model."""

    rows: dict = field(default_factory=dict)

    def add(self, model, row: dict) -> None:
        self.rows.setdefault(model, []).append(row)


def _project_rows(index: int, ref: Reference, batch: Batch, reports_per_project: int, now) -> None:
    from projects.conference.models import PlanItem, PlanItemFunding, PlanItemTarget
    from projects.core.measure import measure
    from projects.restoration.models import FundingShare, IndicatorTarget, Project

    rng = random.Random(index)  # noqa: S311 - reproducible fixtures, no secret
    code = rng.choices(list(ref.provinces), weights=[45, 45, 10][: len(ref.provinces)])[0]
    province = ref.provinces[code]
    pk = stable_id("project", index)
    year = FIRST_YEAR + index % YEARS
    sequence = index // YEARS + 1
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    start = datetime.date(year, rng.randint(1, 12), 1)
    end = start + datetime.timedelta(days=rng.randint(365, 5 * 365))
    geometry = _geometry(rng, ref.shapes[code])
    extent = measure(geometry)
    lead = rng.choice(ref.organizations[code])
    partners = []
    if rng.random() < 0.25:  # a quarter work with the other province
        other = rng.choice([c for c in ref.provinces if c != code] or [code])
        partners.append(rng.choice(ref.organizations[other]))
    province_ids = {lead.province_id, *(p.province_id for p in partners)}
    budget = Decimal(rng.randint(50, 80_000))
    corridors = rng.sample(ref.corridors[code], k=min(len(ref.corridors[code]), rng.choice((1, 1, 1, 2))))
    batch.add(
        Project,
        {
            **_tracked(pk, now),
            "code": f"{PROVINCE_PREFIX[code]}-{year}-{sequence:04d}",
            "name_zh": f"{corridors[0].name_zh if corridors else province.name_zh}生态修复工程（模拟{index + 1}号）",
            "name_en": f"Generated restoration project {index + 1}",
            "description": "",
            "geometry": geometry,
            "extent_length_km": extent.length_km,
            "extent_area_ha": extent.area_ha,
            "bank": rng.choice(("left", "right", "both", "n/a")),
            "reach": rng.choice(("upstream", "midstream", "downstream", "whole", "n/a")),
            "lead_organization_id": lead.pk,
            "is_national_major": rng.random() < 0.05,
            "planned_start": start,
            "planned_end": end,
            "total_budget": budget,
            "reporting_period": "month",
            "status": status,
            "status_changed_at": now,
            "is_cross_regional": len(province_ids) > 1,
        },
    )
    through = Project._meta.get_field
    for corridor in corridors:
        batch.add(through("corridors").remote_field.through, {"project_id": pk, "corridor_id": corridor.pk})
    for partner in partners:
        batch.add(
            through("partner_organizations").remote_field.through, {"project_id": pk, "organization_id": partner.pk}
        )
    for province_id in sorted(province_ids, key=str):
        batch.add(through("provinces").remote_field.through, {"project_id": pk, "province_id": province_id})
    if ref.divisions[code]:
        for division in rng.sample(ref.divisions[code], k=min(2, len(ref.divisions[code]))):
            batch.add(through("divisions").remote_field.through, {"project_id": pk, "division_id": division.pk})
    if ref.key_areas[code] and rng.random() < 0.2:
        area = rng.choice(ref.key_areas[code])
        batch.add(through("key_areas").remote_field.through, {"project_id": pk, "keyarea_id": area.pk})
    for element in rng.sample(ref.elements, k=min(2, len(ref.elements))):
        batch.add(through("elements").remote_field.through, {"project_id": pk, "ecosystemelement_id": element.pk})
    for measure_type in rng.sample(ref.measures, k=min(2, len(ref.measures))):
        batch.add(through("measures").remote_field.through, {"project_id": pk, "measuretype_id": measure_type.pk})
    shares = (Decimal("0.5"), Decimal("0.3"), Decimal("0.2"))
    for source, share in zip(ref.sources, shares, strict=False):
        batch.add(
            FundingShare,
            {
                **_tracked(stable_id("share", index, source.code), now),
                "project_id": pk,
                "source_id": source.pk,
                "amount": (budget * share).quantize(Decimal("0.01")),
            },
        )
    targets = rng.sample(ref.indicators, k=min(2, len(ref.indicators)))
    target_values = {}
    for indicator in targets:
        target_values[indicator.pk] = Decimal(rng.randint(10, 5000))
        batch.add(
            IndicatorTarget,
            {
                **_tracked(stable_id("target", index, indicator.code), now),
                "project_id": pk,
                "indicator_id": indicator.pk,
                "target_value": target_values[indicator.pk],
            },
        )
    if status in REPORTING:
        _reports(index, pk, rng, code, start, budget, targets, target_values, reports_per_project, ref, batch, now)
    plan_year = PLAN_YEARS[index % len(PLAN_YEARS)]
    if index % 10 == 0 and status in REPORTING and plan_year in ref.counted:
        item = stable_id("plan-item", index)
        planned = (budget * Decimal("0.2")).quantize(Decimal("0.01"))
        batch.add(
            PlanItem,
            {
                **_tracked(item, now),
                "plan_id": stable_id("plan", plan_year),
                "project_id": pk,
                "province_id": province.pk,
                "description": "年度建设任务（模拟）",
                "planned_investment": planned,
                "review_comment": "",
            },
        )
        central = (planned * Decimal("0.4")).quantize(Decimal("0.01"))
        for source, amount in zip(ref.sources, (central, planned - central), strict=False):
            batch.add(
                PlanItemFunding,
                {**_tracked(stable_id("plan-funding", index, source.code), now), "item_id": item}
                | {"source_id": source.pk, "amount": amount},
            )
        for indicator in targets:
            batch.add(
                PlanItemTarget,
                {**_tracked(stable_id("plan-target", index, indicator.code), now), "item_id": item}
                | {"indicator_id": indicator.pk, "target_value": target_values[indicator.pk] / 5},
            )


def _reports(index, project, rng, code, start, budget, targets, target_values, count, ref, batch, now) -> None:
    import calendar

    from projects.restoration.models import IndicatorValue, ProgressReport

    year, month = start.year, start.month
    invested = Decimal("0")
    for n in range(count):
        last_day = calendar.monthrange(year, month)[1]
        period_end = datetime.date(year, month, last_day)
        if period_end > now.date():
            break
        invested += (budget / count * Decimal(rng.uniform(0.5, 1.2))).quantize(Decimal("0.01"))
        final = n == count - 1
        status = rng.choice(("submitted", "draft")) if final and rng.random() < 0.3 else "accepted"
        report = stable_id("report", index, n)
        reviewed = status == "accepted"
        batch.add(
            ProgressReport,
            {
                **_tracked(report, now),
                "project_id": project,
                "period": f"{year}-{month:02d}",
                "period_kind": "month",
                "period_start": datetime.date(year, month, 1),
                "period_end": period_end,
                "narrative": f"{year}年{month}月按计划推进（模拟）。",
                "percent_complete": Decimal(min(100, round(100 * (n + 1) / count, 2))).quantize(Decimal("0.01")),
                "cumulative_investment": min(invested, budget),
                "correction_reason": "",
                "status": status,
                "reported_by_id": ref.reporters[code].pk,
                "submitted_at": None if status == "draft" else now,
                "reviewed_by_id": ref.reviewer.pk if reviewed else None,
                "reviewed_at": now if reviewed else None,
                "review_comment": "",
            },
        )
        for indicator in targets:
            batch.add(
                IndicatorValue,
                {
                    **_tracked(stable_id("value", index, n, indicator.code), now),
                    "report_id": report,
                    "indicator_id": indicator.pk,
                    "value": (target_values[indicator.pk] / count).quantize(Decimal("0.001")),
                },
            )
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _history_rows(project_rows: list[dict], batch: Batch) -> None:
    from django.contrib.contenttypes.models import ContentType

    from projects.core.models import ChangeRecord
    from projects.restoration.models import Project

    content_type = ContentType.objects.get_for_model(Project)
    for row in project_rows:
        batch.add(
            ChangeRecord,
            {
                "time": row["created_at"],
                "actor_id": None,
                "actor_name": "",
                "request_id": "",
                "client_request_id": "",
                "action": "create",
                "event": "restoration.project.created",
                "content_type_id": content_type.pk,
                "object_id": str(row["id"]),
                "object_repr": f"{row['code']} {row['name_zh']}"[:300],
                "scope_id": "",
                "before": None,
                "after": {"version": 1, "code": row["code"], "status": row["status"]},
                "changed_fields": [],
                "message": "generated scale data",
            },
        )


def _plans_and_meetings(ref: Reference, now) -> None:
    """Three approved annual plans (years no one else has used) and the meetings that approved them."""
    from projects.conference.models import AnnualPlan, Meeting

    provinces = list(ref.provinces.values())
    meetings = {}
    for offset, number in enumerate(MEETING_NUMBERS):
        pk = stable_id("meeting", number)
        existing = Meeting.objects.filter(models.Q(pk=pk) | models.Q(sequence_no=number)).first()
        if existing is None:
            existing = Meeting.objects.create(
                id=pk,
                sequence_no=number,
                date=datetime.date(PLAN_YEARS[0] - 1 + offset // 2, 3 if offset % 2 == 0 else 9, 15),
                host_province=provinces[offset % len(provinces)],
                place="联席会议（模拟）",
                attendees=["联席会议办公室"],
                status="minutes_approved",
            )
        meetings[number] = existing
    for offset, year in enumerate(PLAN_YEARS):
        pk = stable_id("plan", year)
        plan = AnnualPlan.objects.filter(year=year).first()
        if plan is None:
            plan = AnnualPlan.objects.create(
                id=pk,
                year=year,
                notes=f"{year}年川渝国土空间生态修复重点任务（模拟）。",
                status="approved",
                status_changed_at=now,
                meeting=meetings[MEETING_NUMBERS[2 * offset]],
                approved_at=now,
            )
        if plan.pk == pk:
            ref.counted.add(year)  # a plan of that year entered by people is left alone


def _sections_and_samples(total: int, writer: Writer, batch_size: int, now, log) -> None:
    from projects.compensation.models import Measurement, MonitoringSection, WaterSample
    from projects.core.models import Corridor

    if total <= 0:
        return
    corridors = list(Corridor.objects.prefetch_related("provinces"))
    sections = []
    count = max(1, -(-total // SAMPLE_DAYS))
    for n in range(count):
        rng = random.Random(f"section-{n}")  # noqa: S311 - reproducible fixtures
        corridor = corridors[n % len(corridors)]
        pk = stable_id("section", n)
        section, _ = MonitoringSection.objects.get_or_create(
            id=pk,
            defaults={
                "code": f"scale-section-{n:04d}",
                "name_zh": f"{corridor.name_zh}模拟断面{n + 1}",
                "name_en": f"{corridor.name_en} generated section {n + 1}",
                "river": corridor.name_zh,
                "corridor": corridor,
                "location": Point(rng.uniform(103.5, 108.5), rng.uniform(28.5, 31.5), srid=4326),
                "target_class": rng.choice((2, 3, 3, 3)),
                "is_national": rng.random() < 0.3,
            },
        )
        sections.append(section)
    profiles = _sample_profiles()
    if writer.postgres:
        _samples_in_database(total, sections, profiles, writer, batch_size * 20, now, log)
        return
    written = 0
    for first in range(0, total, batch_size):
        indexes = range(first, min(total, first + batch_size))
        ids = {stable_id("sample", i): i for i in indexes}
        existing = set(WaterSample.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))
        samples, measurements = [], []
        for pk, i in ids.items():
            if pk in existing:
                continue
            section, sampled_on, profile = sample_place(i, sections)
            values, water_class, limiting = profiles[profile]
            samples.append(
                {
                    **_tracked(pk, now),
                    "section_id": section.pk,
                    "sampled_on": sampled_on,
                    "source": "automatic",
                    "note": "",
                    "water_class": water_class,
                    "limiting_parameters": limiting,
                }
            )
            for parameter in PARAMETERS:
                measurements.append(
                    {
                        **_tracked(stable_id("measurement", i, parameter), now),
                        "sample_id": pk,
                        "parameter": parameter,
                        "value": values[parameter],
                        "unit": _unit(parameter),
                        "below_detection_limit": False,
                        "detection_limit": None,
                    }
                )
        with transaction.atomic():
            writer.write(WaterSample, samples)
            writer.write(Measurement, measurements)
        written += len(samples)
        log(f"samples: {min(total, first + batch_size):,}/{total:,}")


def _sample_profiles() -> list[tuple[dict, int, list]]:
    """Fifty measured profiles (values, class, limiting parameters), classified once by the GB 3838
    table: each sample takes one (dates and sections vary)."""
    from projects.compensation.evaluation import classify, load_limits

    table = load_limits()
    profiles = []
    for n in range(50):
        rng = random.Random(f"profile-{n}")  # noqa: S311 - reproducible fixtures
        bad = n % 7 == 0
        values = {
            "ph": rng.uniform(7.0, 8.3),
            "do": rng.uniform(5.0, 8.0),
            "codmn": rng.uniform(2.0, 6.5 if bad else 4.6),
            "cod": rng.uniform(10, 25 if bad else 18),
            "bod5": rng.uniform(1.8, 4.5 if bad else 3.6),
            "nh3n": rng.uniform(1.05, 1.6) if bad else rng.uniform(0.2, 0.8),
            "tp": rng.uniform(0.21, 0.32) if bad else rng.uniform(0.06, 0.18),
        }
        values = {p: Decimal(str(round(v, 3))) for p, v in values.items()}
        verdict = classify(values, "river", table)
        profiles.append((values, verdict["class"], verdict["limiting"]))
    return profiles


def sample_place(i: int, sections: list) -> tuple:
    """Where and when the ``i``-th generated sample was taken, and which profile it measured."""
    return (
        sections[i // SAMPLE_DAYS % len(sections)],
        datetime.date(FIRST_YEAR, 1, 1) + datetime.timedelta(days=i % SAMPLE_DAYS),
        (i * 7919) % 50,
    )


def _unit(parameter: str) -> str:
    return "" if parameter == "ph" else "mg/L"


# One statement per batch: the samples of places not yet sampled (the section, date and source
# are unique, so a second run writes nothing), then their measurements by the same profiles.
_SAMPLES_SQL = """
WITH profile AS (
    SELECT * FROM unnest(%(profile_no)s::int[], %(profile_class)s::int[], %(profile_limiting)s::jsonb[])
        AS p(n, water_class, limiting)
), profile_value AS (
    SELECT * FROM unnest(%(value_no)s::int[], %(value_k)s::int[], %(value_parameter)s::text[],
        %(value)s::numeric[], %(value_unit)s::text[]) AS v(n, k, parameter, value, unit)
), section AS (
    SELECT * FROM unnest(%(section_ids)s::uuid[]) WITH ORDINALITY AS s(id, n)
), wanted AS (
    -- Ids in the order of the samples (and of their measurements), so that each batch adds to the
    -- end of the key indexes instead of touching pages all over them.
    SELECT i, ('5ca1e000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid AS id, s.id AS section_id,
        %(first_day)s::date + (i %% %(days)s)::int AS sampled_on, (i * 7919) %% 50 AS profile
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
    JOIN section s ON s.n = (i / %(days)s) %% %(section_count)s + 1
), new_sample AS (
    INSERT INTO compensation_watersample
        (id, created_at, updated_at, version, section_id, sampled_on, source, note, water_class,
         limiting_parameters)
    SELECT w.id, %(now)s, %(now)s, 1, w.section_id, w.sampled_on, 'automatic', '', p.water_class, p.limiting
    FROM wanted w JOIN profile p ON p.n = w.profile
    ON CONFLICT (section_id, sampled_on, source) DO NOTHING
    RETURNING id
), new_measurement AS (
    INSERT INTO compensation_measurement
        (id, created_at, updated_at, version, sample_id, parameter, value, unit, below_detection_limit,
         detection_limit)
    SELECT ('5ca1e001-0000-4000-8000-' || lpad(to_hex(w.i * 8 + v.k), 12, '0'))::uuid, %(now)s, %(now)s, 1,
        w.id, v.parameter, v.value, v.unit, false, NULL
    FROM new_sample n JOIN wanted w ON w.id = n.id JOIN profile_value v ON v.n = w.profile
    RETURNING 1
)
SELECT (SELECT count(*) FROM new_sample), (SELECT count(*) FROM new_measurement)
"""


def _samples_in_database(total: int, sections: list, profiles: list, writer, batch_size: int, now, log) -> None:
    """The samples written by PostgreSQL itself, a batch per statement: the same places, dates,
    profiles and values as the rows written elsewhere (tests/test_scale_data.py compares them), not
    a row through Python (5 M samples with 35 M measurements: 65 minutes the other way)."""
    values = [
        (n, parameter, v[parameter]) for n, (v, _class, _limiting) in enumerate(profiles) for parameter in PARAMETERS
    ]
    params = {
        "profile_no": list(range(len(profiles))),
        "profile_class": [water_class for _values, water_class, _limiting in profiles],
        "profile_limiting": [json.dumps(limiting) for _values, _class, limiting in profiles],
        "value_no": [n for n, _parameter, _value in values],
        "value_k": [PARAMETERS.index(parameter) for _n, parameter, _value in values],
        "value_parameter": [parameter for _n, parameter, _value in values],
        "value": [value for _n, _parameter, value in values],
        "value_unit": [_unit(parameter) for _n, parameter, _value in values],
        "section_ids": [section.pk for section in sections],
        "section_count": len(sections),
        "first_day": datetime.date(FIRST_YEAR, 1, 1),
        "days": SAMPLE_DAYS,
        "now": now,
    }

    def write_batch(first: int) -> tuple[int, int, int]:
        last = min(total, first + batch_size) - 1
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_SAMPLES_SQL, {**params, "first": first, "last": last})
                return (last, *cursor.fetchone())
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()  # each loader thread has a connection of its own

    # Batches on as many connections as there are cores (up to 4): the database does the work,
    # one core per statement.
    loaders = max(1, min(4, os.cpu_count() or 1, -(-total // batch_size)))
    batches = range(0, total, batch_size)
    results = map(write_batch, batches) if loaders == 1 else ThreadPoolExecutor(loaders).map(write_batch, batches)
    for last, samples, measurements in results:
        for table, count in (("compensation_watersample", samples), ("compensation_measurement", measurements)):
            if count:
                writer.written[table] = writer.written.get(table, 0) + count
        log(f"samples: {last + 1:,}/{total:,}")


def generate(
    *,
    projects: int,
    reports_per_project: int,
    samples: int,
    batch_size: int = 1000,
    log: Callable[[str], None] = print,
) -> dict:
    """Fill the database up to ``projects`` generated projects (each with up to
    ``reports_per_project`` monthly reports) and ``samples`` water samples; returns rows written
    per table. Existing generated rows are kept; ANALYZE runs at the end."""
    from projects.restoration.models import Project

    now = timezone.now().replace(microsecond=0)
    writer = Writer()
    ref = _reference()
    _plans_and_meetings(ref, now)
    for first in range(0, projects, batch_size):
        indexes = range(first, min(projects, first + batch_size))
        existing = set(
            Project.objects.filter(pk__in=[stable_id("project", i) for i in indexes]).values_list("pk", flat=True)
        )
        batch = Batch()
        for index in indexes:
            if stable_id("project", index) not in existing:
                _project_rows(index, ref, batch, reports_per_project, now)
        _history_rows(batch.rows.get(Project, []), batch)
        with transaction.atomic():
            for model, rows in _in_dependency_order(batch.rows):
                writer.write(model, rows)
        log(f"projects: {indexes[-1] + 1:,}/{projects:,}")
    _sections_and_samples(samples, writer, batch_size * 5, now, log)
    analyze()
    return writer.written


def _in_dependency_order(rows: dict) -> Iterable:
    """Parents before children, so foreign keys hold inside each batch's transaction."""
    from projects.conference.models import PlanItem
    from projects.restoration.models import ProgressReport, Project

    first = [Project, ProgressReport, PlanItem]
    for model in first:
        if model in rows:
            yield model, rows[model]
    for model, model_rows in rows.items():
        if model not in first:
            yield model, model_rows


def analyze() -> None:
    """Fresh planner statistics: right after a bulk fill PostgreSQL plans as if tables were empty."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
