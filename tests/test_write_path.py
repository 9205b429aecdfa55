"""The one write path: no lost update under parallel writers, conditional writes, compare-and-set."""

import itertools
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

from projects.core.errors import StaleRecord
from projects.core.models import ChangeRecord
from projects.restoration.models import Indicator, ProgressReport, Project
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

needs_row_locks = pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite serialises writers; no row locks to race")


def _in_parallel(calls):
    """Run the calls at once (a barrier releases them together), each on its own connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


PROJECT_FIELDS = {
    "name_en": "Parallel edit",
    "description": "改描述",
    "total_budget": "2500.00",
    "bank": "left",
    "reach": "upstream",
    "is_national_major": True,
    "planned_end": "2029-12-31",
    "reporting_period": "quarter",
}


@needs_row_locks
@pytest.mark.parametrize("round_", range(5))
def test_eight_staff_patching_different_fields_keep_all_eight_changes(transactional_db, round_):
    staff = [UserFactory(organization=org("sc-natural-resources")) for _ in PROJECT_FIELDS]
    project = ProjectFactory()
    version = project.version
    results = _in_parallel(
        [
            (
                lambda user=user, field=field, value=value: (
                    _client(user).patch(f"/api/v1/projects/{project.id}/", {field: value}, format="json").status_code
                )
            )
            for user, (field, value) in zip(staff, PROJECT_FIELDS.items(), strict=True)
        ]
    )
    assert results == [200] * 8
    stored = _client(staff[0]).get(f"/api/v1/projects/{project.id}/").json()
    for field, value in PROJECT_FIELDS.items():
        assert str(stored[field]) == str(value) or stored[field] is value, field
    assert stored["version"] == version + 8
    assert ChangeRecord.objects.filter(object_id=str(project.id), action="update").count() == 8


@needs_row_locks
def test_parallel_writes_to_one_field_end_with_one_value_and_a_history_of_each(transactional_db):
    staff = [UserFactory(organization=org("sc-natural-resources")) for _ in range(8)]
    project = ProjectFactory()
    names = [f"并行名称{i}" for i in range(8)]
    results = _in_parallel(
        [
            (
                lambda user=user, name=name: (
                    _client(user).patch(f"/api/v1/projects/{project.id}/", {"name_zh": name}, format="json").status_code
                )
            )
            for user, name in zip(staff, names, strict=True)
        ]
    )
    assert results == [200] * 8
    project.refresh_from_db()
    assert project.name_zh in names
    records = ChangeRecord.objects.filter(object_id=str(project.id), action="update").order_by("id")
    assert sorted(r.after["name_zh"] for r in records) == sorted(names)
    # Each change starts where the one before ended: nothing was overwritten unseen.
    for earlier, later in itertools.pairwise(records):
        assert later.before["name_zh"] == earlier.after["name_zh"]
    assert records.last().after["name_zh"] == project.name_zh


@needs_row_locks
def test_parallel_report_edits_keep_every_change(transactional_db):
    reporters = [UserFactory(organization=org("sc-natural-resources")) for _ in range(3)]
    project = ProjectFactory()
    TargetFactory(project=project)
    report = ReportFactory(project=project, reported_by=reporters[0])
    changes = [
        {"narrative": "并行修改的进展说明"},
        {"percent_complete": "42.50"},
        {"values": [{"indicator": "forest-restored-area", "value": "7.000"}]},
    ]
    for round_ in range(5):
        version = ProgressReport.objects.get(pk=report.pk).version
        payloads = [{key: (f"{v}{round_}" if key == "narrative" else v) for key, v in c.items()} for c in changes]
        results = _in_parallel(
            [
                (
                    lambda user=user, body=body: (
                        _client(user).patch(f"/api/v1/progress-reports/{report.id}/", body, format="json").status_code
                    )
                )
                for user, body in zip(reporters, payloads, strict=True)
            ]
        )
        assert results == [200] * 3
        stored = ProgressReport.objects.get(pk=report.pk)
        assert stored.narrative == f"并行修改的进展说明{round_}"
        assert stored.percent_complete == Decimal("42.50")
        assert stored.values.get(indicator=Indicator.objects.get(code="forest-restored-area")).value == Decimal("7")
        # The first round changes all three; later rounds only the narrative (the rest is unchanged).
        assert stored.version == version + (3 if round_ == 0 else 1)


# --- conditional writes ---


@pytest.mark.django_db
def test_a_detail_carries_its_etag_and_if_none_match_answers_304(api):
    project = ProjectFactory()
    response = api.get(f"/api/v1/projects/{project.id}/")
    assert response["ETag"] == f'"{project.version}"'
    assert api.get(f"/api/v1/projects/{project.id}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"HTTP_IF_MATCH": '"1"'}, {}, 200),
        ({"HTTP_IF_MATCH": 'W/"1"'}, {}, 200),
        ({"HTTP_IF_MATCH": "*"}, {}, 200),
        ({}, {"version": 1}, 200),
        ({"HTTP_IF_MATCH": '"0"'}, {}, 412),
        ({"HTTP_IF_MATCH": '"bogus"'}, {}, 412),
        ({}, {"version": 7}, 412),
        ({}, {"version": "x"}, 412),
    ],
)
def test_if_match_and_a_body_version_refuse_stale_writes(api, headers, body, status):
    project = ProjectFactory()
    history = ChangeRecord.objects.count()
    response = api.patch(
        f"/api/v1/projects/{project.id}/", {"name_en": "conditional", **body}, format="json", **headers
    )
    assert response.status_code == status, response.content
    project.refresh_from_db()
    if status == 412:
        assert project.name_en != "conditional"
        assert ChangeRecord.objects.count() == history
        assert "detail" in response.json()
    else:
        assert project.name_en == "conditional" and project.version == 2
        assert response["ETag"] == '"2"'


@pytest.mark.django_db
def test_a_stale_if_match_refuses_transitions_and_deletes_too(client_for, joint_office):
    project = ProjectFactory(status="in_progress")
    office = client_for(joint_office)
    response = office.post(
        f"/api/v1/projects/{project.id}/transition/", {"to": "suspended"}, format="json", HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 412
    assert office.delete(f"/api/v1/projects/{project.id}/", HTTP_IF_MATCH='"9"').status_code == 412
    assert Project.objects.get(pk=project.pk).status == "in_progress"


@pytest.mark.django_db
def test_saving_an_outdated_copy_is_refused_never_applied():
    project = ProjectFactory(name_en="first")
    outdated = Project.objects.get(pk=project.pk)
    project.name_en = "second"
    project.save()
    outdated.description = "from an old copy"
    with pytest.raises(StaleRecord), transaction.atomic():
        outdated.save()
    project.refresh_from_db()
    assert (project.name_en, project.description, project.version) == ("second", "", 2)


@needs_row_locks
@pytest.mark.parametrize("round_", range(3))
def test_two_reports_for_one_period_at_once_make_one_report_and_a_400(transactional_db, round_):
    project = ProjectFactory(status="in_progress")
    staff = UserFactory(
        username=f"parallel-reporter-{round_}", role="provincial_staff", organization=org("sc-natural-resources")
    )
    body = {
        "project": str(project.pk),
        "period": "2025-03",
        "narrative": "并行",
        "percent_complete": "10",
        "cumulative_investment": "5",
    }
    answers = _in_parallel([lambda: _client(staff).post("/api/v1/progress-reports/", body, format="json")] * 2)
    assert sorted(answer.status_code for answer in answers) == [201, 400], [answer.json() for answer in answers]
    refused = next(answer for answer in answers if answer.status_code == 400)
    assert list(refused.json()["errors"]) == ["period"]
    assert ProgressReport.objects.filter(project=project, period="2025-03").count() == 1


def test_only_the_period_constraint_is_told_as_a_taken_period(db):
    """An IntegrityError of another constraint is not reworded as the period's (it would hide the cause)."""
    from django.db import IntegrityError

    from projects.core.errors import breaks_constraint
    from projects.restoration.models import IndicatorValue

    report = ReportFactory()
    breaches = []
    for create in (
        lambda: ReportFactory(project=report.project, period=report.period),
        lambda: [
            IndicatorValue.objects.create(report=report, indicator=Indicator.objects.first(), value=1) for _ in "ab"
        ],
    ):
        try:
            with transaction.atomic():
                create()
        except IntegrityError as exc:
            breaches.append(exc)
    assert [breaks_constraint(exc, ProgressReport, "one_report_per_project_and_period") for exc in breaches] == [
        True,
        False,
    ]
    assert breaks_constraint(breaches[1], IndicatorValue, "one_value_per_indicator")
