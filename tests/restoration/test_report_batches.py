"""Many new progress reports at once (``report_create_many``, an import's batches) write what
``report_save`` writes one by one: the same reports, values, amounts per source and change records.
A report the batch cannot vouch for is left to ``report_save``, which refuses it with its reason."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.restoration.views import ProgressReportViewSet
from projects.core.errors import DomainError
from projects.core.models import ChangeRecord
from projects.restoration.models import (
    FundingSource,
    Indicator,
    IndicatorValue,
    ProgressReport,
    Project,
    ReportInvestment,
)
from projects.restoration.services import report_create_many, report_save
from projects.restoration.services.reports import indicators_to_report, reportable_indicators
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org
from tests.test_imports import send

pytestmark = pytest.mark.django_db
REFUSALS = (ValidationError, DomainError, PermissionDenied)


def indicator(code):
    return Indicator.objects.get(code=code)


def source(code):
    return FundingSource.objects.get(code=code)


@pytest.fixture
def projects(db):
    """Two Sichuan projects under way (one with counted reports around the new ones) and a proposed one."""
    a = ProjectFactory(code="SC-2025-0001", total_budget=Decimal("5000"))
    TargetFactory(project=a)  # restored-area: derived from the areas per ecosystem
    TargetFactory(project=a, indicator=indicator("shoreline-restored"))
    b = ProjectFactory(code="SC-2025-0002")
    TargetFactory(project=b, indicator=indicator("buffer-zone-built"))
    for period, status, central, provincial in (("2025-03", "accepted", 200, 100), ("2025-09", "submitted", 500, 400)):
        counted = ReportFactory(
            project=a, period=period, status=status, cumulative_investment=Decimal(central + provincial)
        )
        ReportInvestment.objects.create(report=counted, source=source("central"), amount=Decimal(central))
        ReportInvestment.objects.create(report=counted, source=source("provincial"), amount=Decimal(provincial))
    proposed = ProjectFactory(code="SC-2025-0003", status="proposed")
    return a, b, proposed


def item(project, period, **fields):
    """A report as the serializer hands it to the services."""
    return {
        "project": project,
        "period": period,
        "narrative": f"{period} 进展",
        "percent_complete": Decimal("20.00"),
        **fields,
    }


def values(**by_code):
    return [
        {"indicator": indicator(code.replace("_", "-")), "value": Decimal(value)} for code, value in by_code.items()
    ]


def shares(**by_code):
    return [{"source": source(code), "amount": Decimal(amount)} for code, amount in by_code.items()]


def clean_items(a, b):
    return [
        item(
            a,
            "2025-05",
            investment=shares(central="250.00", provincial="150.00"),
            values=values(forest_restored_area="3.500", shoreline_restored="1.250"),
        ),
        item(b, "2025-05", cumulative_investment=Decimal("50.00"), values=values(buffer_zone_built="2.000")),
        item(a, "2025-06", cumulative_investment=Decimal("100.00"), correction_reason="2025-03 的数字多计了一笔"),
        item(b, "2025-Q3", cumulative_investment=Decimal("60.00"), narrative="第三季度：缓冲带完工"),
    ]


def refused_items(a, b, proposed):
    return [
        item(a, "2025-03", cumulative_investment=Decimal("400.00")),  # taken by a counted report
        item(b, "2025-07", cumulative_investment=Decimal("70.00")),  # named twice in the batch:
        item(b, "2025-07", cumulative_investment=Decimal("71.00")),  # report_save takes the first only
        item(a, "2025-07", cumulative_investment=Decimal("400.00"), values=values(restored_area="9.000")),  # derived
        item(
            b, "2025-08", cumulative_investment=Decimal("80.00"), values=values(shoreline_restored="1.000")
        ),  # no target
        item(a, "2025-10", cumulative_investment=Decimal("800.00")),  # below 2025-09's 900
        item(a, "2025-04", investment=shares(central="150.00", provincial="250.00")),  # central below 2025-03's 200
        item(
            a, "2025-11", cumulative_investment=Decimal("950.00"), investment=shares(central="100.00")
        ),  # parts ≠ total
        item(b, "2025-12", investment=shares(central="1.00", provincial="2.00") + shares(central="3.00")),  # twice
        item(proposed, "2025-05", cumulative_investment=Decimal("10.00")),  # not under way
        item(a, "2025-13", cumulative_investment=Decimal("400.00")),  # no such month
        item(b, "2026-01", cumulative_investment=Decimal("90.00"), percent_complete=Decimal("150.00")),
    ]


def one_by_one(actor, items):
    answers = []
    for data in items:
        try:
            with transaction.atomic():
                report_save(actor=actor, data=data)
            answers.append("written")
        except REFUSALS as exc:
            answers.append(f"refused: {exc}")
    return answers


def in_a_batch(actor, items, batched=None):
    """As the import does: the batch first, then what it left out through ``report_save``."""
    written = report_create_many(actor=actor, items=items)
    if batched is not None:
        batched.extend(index for index, report in enumerate(written) if report is not None)
    alone = iter(one_by_one(actor, [data for data, report in zip(items, written, strict=True) if report is None]))
    return ["written" if report is not None else next(alone) for report in written]


def outcome(write):
    """What ``write`` answers and leaves in the database (rolled back after): every new report with
    its rows, and every new change record, named by project and period instead of ids."""
    known = set(ProgressReport.objects.values_list("pk", flat=True))
    last_record = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        answers = write()
        reports = ProgressReport.objects.exclude(pk__in=known).select_related("project", "reported_by")
        names = {str(report.pk): (report.project.code, report.period) for report in reports}
        left = {}
        for report in reports:
            fields = {f.attname: getattr(report, f.attname) for f in report._meta.concrete_fields}
            for noise in ("id", "created_at", "updated_at"):
                fields.pop(noise)
            fields["values"] = sorted(
                IndicatorValue.objects.filter(report=report).values_list("indicator__code", "value", "version")
            )
            fields["investment"] = sorted(
                ReportInvestment.objects.filter(report=report).values_list("source__code", "amount", "version")
            )
            left[names[str(report.pk)]] = fields
        history = []
        for record in ChangeRecord.objects.filter(id__gt=last_record).order_by("id"):
            before, after = (
                {key: value for key, value in picture.items() if key not in ("id", "created_at", "updated_at")}
                if picture
                else picture
                for picture in (record.before, record.after)
            )
            history.append(
                (
                    names.get(record.object_id, record.object_id),
                    record.content_type.model,
                    record.action,
                    record.event,
                    record.actor_name,
                    record.object_repr,
                    record.scope_id,
                    before,
                    after,
                    record.changed_fields,
                    record.message,
                )
            )
        transaction.set_rollback(True)
    return answers, left, history


def test_a_batch_writes_what_report_save_writes_one_by_one(projects, sc_staff):
    a, b, _proposed = projects
    items = clean_items(a, b)
    answers, left, history = outcome(lambda: one_by_one(sc_staff, items))
    assert answers == ["written"] * 4
    batched = []
    assert outcome(lambda: in_a_batch(sc_staff, items, batched)) == (answers, left, history)
    assert batched == [0, 1, 2, 3]  # all four by the batch, none left to report_save
    # The pictures kept are whole: the values, the amounts per source, the reporter, the period's bounds.
    first = next(entry for entry in history if entry[0] == ("SC-2025-0001", "2025-05"))
    assert first[8]["values"] == {"forest-restored-area": "3.500", "shoreline-restored": "1.250"}
    assert first[8]["investment"] == {"central": "250.00", "provincial": "150.00"}
    assert first[8]["period_end"] == "2025-05-31" and first[8]["reported_by_id"] == str(sc_staff.pk)
    assert left[("SC-2025-0002", "2025-Q3")]["period_start"].isoformat() == "2025-07-01"


def test_what_the_batch_cannot_vouch_for_is_refused_by_report_save_with_its_reason(projects, sc_staff):
    a, b, proposed = projects
    items = refused_items(a, b, proposed)
    answers, left, history = outcome(lambda: one_by_one(sc_staff, items))
    assert answers[2].startswith("refused") and answers[1] == "written"  # the period named twice
    assert sum(answer == "written" for answer in answers) == 1
    batched = []
    _answers, batch_left, batch_history = outcome(lambda: in_a_batch(sc_staff, items, batched))
    assert batched == []  # every one of them left to report_save
    assert (batch_left, batch_history) == (left, history)


def test_mixed_batches_and_other_provinces(projects, sc_staff, cq_staff):
    a, b, proposed = projects
    items = clean_items(a, b) + refused_items(a, b, proposed)
    assert outcome(lambda: one_by_one(sc_staff, items))[1:] == outcome(lambda: in_a_batch(sc_staff, items))[1:]
    # Chongqing's staff do not report on Sichuan's projects: nothing is written by the batch either.
    batched = []
    _answers, left, _history = outcome(lambda: in_a_batch(cq_staff, clean_items(a, b), batched))
    assert batched == [] and left == {}


def test_a_batch_reads_the_same_number_of_times_whatever_its_size(projects, sc_staff):
    def batch(months):
        # Projects read afresh for each batch, as an import's rows name them.
        a, b = (Project.objects.get(pk=project.pk) for project in projects[:2])
        later = [
            item(b, f"2027-{month:02d}", cumulative_investment=Decimal("90.00"), values=values(buffer_zone_built="1"))
            for month in range(1, months + 1)
        ]
        return clean_items(a, b) + later

    def queries(items):
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            assert None not in report_create_many(actor=sc_staff, items=items)
            transaction.set_rollback(True)
        return len(captured)

    ContentType.objects.get_for_model(ProgressReport)  # read once per process, not per batch
    # Provinces, periods taken, reportable indicators, counted neighbours and their amounts; a
    # savepoint, three inserts, the change records and the savepoint's release.
    assert queries(batch(0)) == queries(batch(12)) == 11


IMPORTED = """\
project,period,narrative,percent_complete,cumulative_investment,investment:central,investment:provincial,\
value:forest-restored-area,value:buffer-zone-built
SC-2025-0001,2025-05,五月进展,20,,250,150,3.5,
SC-2025-0002,2025-05,五月进展,20,50,,,,2
SC-2025-0002,2025-06,六月进展,25,55,,,,3
SC-2025-0002,2025-06,六月进展（改）,26,55,,,,3
"""


@pytest.mark.parametrize("batch_size", [1, 2, 500])
@pytest.mark.parametrize("stored_draft", [False, True])
def test_an_import_answers_and_writes_the_same_in_batches_or_row_by_row(
    projects, client_for, sc_staff, batch_size, stored_draft, monkeypatch
):
    _a, b, _proposed = projects
    if stored_draft:  # the second row then changes a stored draft instead of drafting it
        ReportFactory(project=b, period="2025-05", status="draft", reported_by=sc_staff)
    client = client_for(sc_staff)
    # The project by its id as well as by its code: rows 4 and 5 name one report, as do 6 and 7 and
    # the last row (the report 6 drafted and 7 changed).
    header, *rows = IMPORTED.splitlines()
    by_id = [f"{b.pk},2025-10,十月进展,28,56,,,,3", f"{b.pk},2025-Q4,第四季度,30,60,,,,4"]
    rows[2:2] = ["SC-2025-0002,2025-10,十月,27,56,,,,3", by_id[0]]
    text = "\n".join([header, *rows, by_id[1], f"{b.pk},2025-06,六月进展（再改）,27,55,,,,3"]) + "\n"

    def imported(create_many):
        monkeypatch.setattr(ProgressReportViewSet, "create_many_service", create_many)
        monkeypatch.setattr(ProgressReportViewSet, "import_batch_size", batch_size)
        response = send(client, "progress-reports", text)
        return response.status_code, response.json()

    batched = outcome(lambda: imported(staticmethod(report_create_many)))
    row_by_row = outcome(lambda: imported(None))
    # The fourth row names the third's project and period: it changes the report the third drafted.
    created = 4 if stored_draft else 5
    assert batched[0] == (201, {"dry_run": False, "created": created, "updated": 8 - created, "unchanged": 0})
    assert batched == row_by_row
    assert batched[1][("SC-2025-0002", "2025-06")]["narrative"] == "六月进展（再改）"
    assert batched[1][("SC-2025-0002", "2025-Q4")]["cumulative_investment"] == Decimal("60")
    assert batched[1][("SC-2025-0002", "2025-10")]["narrative"] == "十月进展"


def test_an_import_tells_every_refused_line_in_batches_as_row_by_row(projects, client_for, sc_staff, monkeypatch):
    refused = ["SC-2025-0001,2025-03,三月,20,400,,,,", "SC-2025-9999,2025-05,无此项目,20,1,,,,"]
    bad = IMPORTED + "\n".join([*refused, "SC-2025-0001,2025-07,,20,400,,,,9"]) + "\n"
    client = client_for(sc_staff)
    answers = []
    for create_many in (staticmethod(report_create_many), None):
        monkeypatch.setattr(ProgressReportViewSet, "create_many_service", create_many)
        response = send(client, "progress-reports", bad)
        assert response.status_code == 400
        answers.append(response.json())
    assert answers[0] == answers[1]
    assert [error["line"] for error in answers[0]["errors"]["file"]] == [6, 7, 8]
    assert not ProgressReport.objects.filter(narrative="五月进展").exists()


def test_an_import_writes_its_new_reports_in_one_insert(projects, client_for, sc_staff):
    with CaptureQueriesContext(connection) as captured:
        response = send(client_for(sc_staff), "progress-reports", IMPORTED.rsplit("\n", 2)[0] + "\n")
    assert response.status_code == 201, response.json()
    # One statement: a multi-row INSERT, or a COPY on PostgreSQL (projects/core/bulk.py).
    written = ('INSERT INTO "restoration_progressreport"', 'COPY "restoration_progressreport"')
    assert len([q["sql"] for q in captured if q["sql"].startswith(written)]) == 1


def test_reports_imported_in_a_batch_are_in_the_changes_feed_in_the_files_order(transactional_db, client_for):
    """The change records a batch inserts at once are numbered at commit like any others."""
    a = ProjectFactory(code="SC-2025-0101")
    b = ProjectFactory(code="SC-2025-0102")
    staff = UserFactory(username="feed-reader", role="provincial_staff", organization=org("sc-natural-resources"))
    client = client_for(staff)
    text = "project,period,narrative,percent_complete,cumulative_investment\n" + "".join(
        f"{project.code},2025-{month:02d},{month} 月,10,{month}\n" for month in (4, 5) for project in (a, b)
    )
    assert send(client, "progress-reports", text).status_code == 201
    feed = client.get("/api/v1/changes/?types=progress-reports&include_drafts=true").json()
    assert [(entry["data"]["project"]["code"], entry["data"]["period"]) for entry in feed["results"]] == [
        ("SC-2025-0101", "2025-04"),
        ("SC-2025-0102", "2025-04"),
        ("SC-2025-0101", "2025-05"),
        ("SC-2025-0102", "2025-05"),
    ]
    assert all(entry["action"] == "create" and entry["cursor"] for entry in feed["results"])


def imported_both_ways(client, text: str, monkeypatch) -> list:
    """The ``outcome`` of importing ``text`` in batches, then row by row (each rolled back)."""
    answers = []
    for create_many in (staticmethod(report_create_many), None):
        monkeypatch.setattr(ProgressReportViewSet, "create_many_service", create_many)

        def imported():
            response = send(client, "progress-reports", text)
            return response.status_code, response.json()

        answers.append(outcome(imported))
    return answers


def test_a_row_naming_a_report_by_id_changes_that_report_in_batches_as_row_by_row(
    projects, client_for, sc_staff, monkeypatch
):
    """A row with an id names that report even when its period names none stored (the row moves
    the report to it); an id naming nothing the reader sees leaves the natural key to decide."""
    _a, b, _proposed = projects
    draft = ReportFactory(project=b, period="2025-05", status="draft", reported_by=sc_staff, cumulative_investment=5)
    header = "id,project,period,narrative,percent_complete,cumulative_investment\n"
    text = header + f"{draft.pk},{b.code},2025-06,改期,20,5\n{uuid.uuid4()},{b.code},2025-07,新的,20,6\n"
    answers = imported_both_ways(client_for(sc_staff), text, monkeypatch)
    assert answers[0] == answers[1]
    assert answers[0][0] == (201, {"dry_run": False, "created": 1, "updated": 1, "unchanged": 0})
    assert ("SC-2025-0002", "2025-07") in answers[0][1]  # the unknown id: a new report by its key
    moved = next(entry for entry in answers[0][2] if entry[2] == "update")
    assert moved[0] == str(draft.pk) and "period" in moved[9]


def test_a_row_after_a_changed_report_finds_what_the_batch_before_it_wrote(projects, client_for, sc_staff, monkeypatch):
    """Rows 1 and 3 name one new report; row 2 changes a stored one in between."""
    _a, b, _proposed = projects
    ReportFactory(project=b, period="2025-05", status="draft", reported_by=sc_staff, cumulative_investment=5)
    text = (
        "project,period,narrative,percent_complete,cumulative_investment\n"
        f"{b.code},2025-10,十月,20,6\n{b.code},2025-05,五月（改）,20,5\n{b.code},2025-10,十月（改）,21,6\n"
    )
    answers = imported_both_ways(client_for(sc_staff), text, monkeypatch)
    assert answers[0] == answers[1]
    assert answers[0][0] == (201, {"dry_run": False, "created": 1, "updated": 2, "unchanged": 0})


def test_the_reportable_indicators_are_the_targeted_ones_and_the_components_of_the_derived(projects):
    """A targeted derived indicator is reported through its components, never itself; a component
    derived in its turn is not reported either (nor are its own components)."""
    a, b, proposed = projects

    def new(code, *components):
        made = Indicator.objects.create(code=code, name_zh=code, unit="ha")
        made.components.set(components)
        return made

    leaf, deep_leaf = new("leaf-area"), new("deep-leaf-area")
    nested = new("nested-area", deep_leaf)
    whole = new("whole-area", leaf, nested)
    TargetFactory(project=proposed, indicator=whole)
    TargetFactory(project=proposed, indicator=indicator("buffer-zone-built"))
    reportable = reportable_indicators([a.pk, b.pk, proposed.pk, uuid.uuid4()])
    codes = {
        pk: set(Indicator.objects.filter(pk__in=ids).values_list("code", flat=True)) for pk, ids in reportable.items()
    }
    assert codes[proposed.pk] == {"leaf-area", "buffer-zone-built"}
    # restored-area is derived from the areas per ecosystem; shoreline-restored is reported as it is.
    assert "restored-area" not in codes[a.pk] and "shoreline-restored" in codes[a.pk]
    assert codes[a.pk] - {"shoreline-restored"} == set(
        indicator("restored-area").components.filter(components=None).values_list("code", flat=True)
    )
    assert codes[b.pk] == {"buffer-zone-built"}
    assert [set(ids) for pk, ids in reportable.items() if pk not in (a.pk, b.pk, proposed.pk)] == [set()]
    assert set(indicators_to_report(proposed).values_list("code", flat=True)) == codes[proposed.pk]
