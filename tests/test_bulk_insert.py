"""``insert_many`` (projects/core/bulk.py) writes what ``bulk_create`` writes: on PostgreSQL by COPY,
each value as the field prepares it (JSON, decimals, dates, keys, times set on insert)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.core.bulk import insert_many
from projects.core.models import ChangeRecord
from projects.restoration.models import IndicatorValue, ProgressReport, Project
from projects.restoration.models.reports import period_bounds
from tests.restoration.factories import ProjectFactory, ReportFactory

AFTER = {
    "name_zh": "嘉陵江 \\ 岸线\t修复\n“二期”",
    "values": [{"indicator": "forest-restored-area", "value": "12.500"}],
    "budget": "100.00",
    "empty": None,
}


def _changes(count: int, way: str) -> list[ChangeRecord]:
    kind = ContentType.objects.get_for_model(Project)
    return [
        ChangeRecord(
            actor_name="张三",
            action="update",
            event="restoration.project.updated",
            content_type=kind,
            object_id=f"{way}-{n}",
            object_repr="嘉陵江岸线修复",
            scope_id="",
            before=None,
            after={**AFTER, "n": n},
            changed_fields=["name_zh", "budget"],
            message="",
        )
        for n in range(count)
    ]


def _rows(queryset, *exclude):
    """The rows' values but those named and the times set on insert (compared on their own)."""
    fields = [
        f.attname
        for f in queryset.model._meta.concrete_fields
        if f.attname not in exclude and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]
    return [tuple(row[f] for f in fields) for row in queryset.values(*fields)]


def test_change_records_are_written_as_bulk_create_writes_them(db):
    copied, created = _changes(3, "copy"), _changes(3, "bulk")
    started = datetime.datetime.now(datetime.UTC)
    with CaptureQueriesContext(connection) as captured:
        insert_many(ChangeRecord, copied)
    ChangeRecord.objects.bulk_create(created)

    assert len(captured) == 1  # one statement, logged as any query is
    written = {
        way: _rows(ChangeRecord.objects.filter(object_id__startswith=way).order_by("object_id"), "id", "seq", "time")
        for way in ("copy", "bulk")
    }
    assert len(written["copy"]) == 3
    compared = [f.attname for f in ChangeRecord._meta.concrete_fields if f.attname not in ("id", "seq", "time")]
    position = compared.index("object_id")  # each way's own

    def without_object_id(rows):
        return [row[:position] + row[position + 1 :] for row in rows]

    assert without_object_id(written["copy"]) == without_object_id(written["bulk"])
    assert all(change.time >= started and not change._state.adding for change in copied)
    assert ChangeRecord.objects.get(object_id="copy-2").after == {**AFTER, "n": 2}


def test_reports_and_their_values_are_written_as_bulk_create_writes_them(db):
    from projects.restoration.models import Indicator

    forest = Indicator.objects.get(code="forest-restored-area")
    template = ReportFactory(project=ProjectFactory(), period="2025-03")
    fields = {
        f.attname: getattr(template, f.attname)
        for f in ProgressReport._meta.concrete_fields
        if f.attname not in ("id", "project_id", "period", "created_at", "updated_at")
    }
    reports = {}
    for way, period in (("copy", "2025-04"), ("bulk", "2025-05")):
        report = ProgressReport(**fields, project=template.project, period=period)
        report.period_kind, report.period_start, report.period_end = period_bounds(period)
        value = IndicatorValue(report=report, indicator=forest, value=Decimal("12.345"))
        if way == "copy":
            insert_many(ProgressReport, [report])
            insert_many(IndicatorValue, [value])
        else:
            ProgressReport.objects.bulk_create([report])
            IndicatorValue.objects.bulk_create([value])
        reports[way] = report

    def stored(report):
        row = _rows(
            ProgressReport.objects.filter(pk=report.pk),
            *("id", "period", "period_start", "period_end"),
        )
        values = _rows(IndicatorValue.objects.filter(report=report), "id", "report_id")
        return row, values

    assert stored(reports["copy"]) == stored(reports["bulk"])
    assert IndicatorValue.objects.get(report=reports["copy"]).value == Decimal("12.345")
    copied = ProgressReport.objects.get(pk=reports["copy"].pk)
    assert copied.created_at == reports["copy"].created_at and copied.updated_at is not None
    assert not reports["copy"]._state.adding


def test_only_values_a_field_would_send_unchanged_skip_its_preparation():
    from django.db import models

    from projects.core.bulk import _taken_as_is

    class Upper(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    report = {field.name: field for field in ProgressReport._meta.concrete_fields}
    assert _taken_as_is(report["narrative"]) is str
    assert _taken_as_is(report["project"]).__name__ == "UUID"  # a key: the project's id
    assert _taken_as_is(report["period_end"]).__name__ == "date"
    assert _taken_as_is(report["version"]) is int  # counters, and keys to an integer id
    assert _taken_as_is(ChangeRecord._meta.get_field("content_type")) is int
    assert _taken_as_is(report["submitted_at"]).__name__ == "datetime"  # when aware: see below
    # Prepared by the field: times set on insert (stamped once a batch, below), a field preparing its
    # own way, JSON.
    assert _taken_as_is(report["created_at"]) is None
    assert _taken_as_is(Upper(max_length=5)) is None
    assert _taken_as_is(models.DateField(auto_now=True)) is None
    assert _taken_as_is(ChangeRecord._meta.get_field("after")) is None


ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="elsewhere insert_many is bulk_create, each backend preparing its way"
)


@ON_POSTGRESQL
def test_a_naive_time_and_a_flag_for_a_number_go_through_their_field():
    from projects.core.bulk import _prepared, _taken_as_is

    report = ProgressReport(version=True, submitted_at=datetime.datetime(2025, 3, 31, 9, 30))
    fields = {field.name: field for field in ProgressReport._meta.concrete_fields}
    version = fields["version"]
    sent = _prepared(report, version, "version", _taken_as_is(version))
    assert sent == 1 and not isinstance(sent, bool)
    submitted = fields["submitted_at"]
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        sent = _prepared(report, submitted, "submitted_at", _taken_as_is(submitted))
    assert sent.tzinfo is not None and sent.replace(tzinfo=None) == datetime.datetime(2025, 3, 31, 9, 30)
    aware = timezone.now()
    report.submitted_at = aware
    assert _prepared(report, submitted, "submitted_at", _taken_as_is(submitted)) is aware


@ON_POSTGRESQL
def test_a_batchs_times_set_on_insert_are_one_moment(db):
    before = timezone.now()
    changes = _changes(3, "stamped")
    insert_many(ChangeRecord, changes)
    times = {change.time for change in changes}
    assert len(times) == 1 and times.pop() >= before
    stored = set(ChangeRecord.objects.filter(object_id__startswith="stamped").values_list("time", flat=True))
    assert stored == {changes[0].time}
