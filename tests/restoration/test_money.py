"""Money adds up: investment per funding source, cumulative figures that do not fall unexplained,
the compensation fund's payments in the project's funding, and a unit on every amount."""

import datetime
from decimal import Decimal

import pytest

from projects.compensation.models import CompensationFund, FundAllocation
from projects.core.models import ChangeRecord, Province
from projects.restoration.models import FundingShare, FundingSource, ProgressReport
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/progress-reports/"


@pytest.fixture
def project(db):
    project = ProjectFactory(code="SC-2024-0031", total_budget=Decimal("20000"))
    TargetFactory(project=project)
    return project


def payload(project, period, **fields):
    return {"project": str(project.id), "period": period, "narrative": "进展", "percent_complete": "10", **fields}


def test_investment_per_funding_source_adds_up_to_the_total(api, project):
    sent = payload(
        project,
        "2024-05",
        investment=[{"source": "central", "amount": "3000.50"}, {"source": "provincial", "amount": "4279.50"}],
    )
    response = api.post(REPORTS, sent, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["cumulative_investment"] == "7280.00"  # the sum of the parts
    assert [(row["source"]["code"], row["amount"]) for row in body["investment"]] == [
        ("central", "3000.50"),
        ("provincial", "4279.50"),
    ]
    assert body["units"] == {"cumulative_investment": "wan_yuan", "investment.amount": "wan_yuan"}
    # A total that is not the sum of its parts is refused.
    wrong = api.patch(f"{REPORTS}{body['id']}/", {"cumulative_investment": "7000"}, format="json")
    assert wrong.status_code == 400 and "7280.00" in wrong.json()["errors"]["investment"][0]


def test_cumulative_investment_cannot_fall_between_reports_without_a_correction(api, joint_office, project):
    ReportFactory(project=project, period="2024-05", cumulative_investment=Decimal("7280"), status="accepted")
    refused = api.post(REPORTS, payload(project, "2024-06", cumulative_investment="5000"), format="json")
    assert refused.status_code == 400
    message = refused.json()["errors"]["cumulative_investment"][0]
    assert "7280.00" in message and "2024-05" in message
    assert not ProgressReport.objects.filter(period="2024-06").exists()

    reason = "2024-05 的累计投资误计入了下年度中央资金 2280 万元，予以更正"
    corrected = api.post(
        REPORTS, payload(project, "2024-06", cumulative_investment="5000", correction_reason=reason), format="json"
    )
    assert corrected.status_code == 201, corrected.json()
    assert corrected.json()["correction_reason"] == reason
    assert ChangeRecord.objects.filter(object_id=corrected.json()["id"]).get().after["correction_reason"] == reason


def test_a_report_submitted_later_is_checked_against_what_counts_by_then(client_for, sc_staff, project):
    client = client_for(sc_staff)
    june = client.post(REPORTS, payload(project, "2024-06", cumulative_investment="5000"), format="json").json()
    may = client.post(REPORTS, payload(project, "2024-05", cumulative_investment="7280"), format="json").json()
    assert client.post(f"{REPORTS}{june['id']}/transition/", {"to": "submitted"}, format="json").status_code == 200
    # May's 7,280 would come before June's 5,000: a fall, refused when it is about to count.
    refused = client.post(f"{REPORTS}{may['id']}/transition/", {"to": "submitted"}, format="json")
    assert refused.status_code == 400
    assert "5000.00" in refused.json()["errors"]["cumulative_investment"][0]
    assert ProgressReport.objects.get(pk=may["id"]).status == "draft"


def test_each_funding_source_is_cumulative_too(api, project):
    first = payload(
        project,
        "2024-05",
        investment=[{"source": "central", "amount": "3000"}, {"source": "provincial", "amount": "4280"}],
    )
    report = api.post(REPORTS, first, format="json").json()
    ProgressReport.objects.filter(pk=report["id"]).update(status="accepted")
    shifted = payload(
        project,
        "2024-06",
        investment=[{"source": "central", "amount": "2000"}, {"source": "provincial", "amount": "5380"}],
    )
    refused = api.post(REPORTS, shifted, format="json")
    assert refused.status_code == 400
    assert "3000.00" in refused.json()["errors"]["investment"][0]


def test_fund_allocations_appear_in_the_projects_funding_in_yuan_and_exactly_in_wan_yuan(api, project):
    FundingShare.objects.create(
        project=project, source=FundingSource.objects.get(code="compensation-fund"), amount=Decimal("600")
    )
    fund = CompensationFund.objects.get(code="yangtze-belt-compensation-fund")
    sichuan = Province.objects.get(code="510000")
    for amount in (5_000_000, 1_234_567):
        FundAllocation.objects.create(
            fund=fund, allocated_on=datetime.date(2024, 9, 1), amount=amount, province=sichuan, project=project
        )
    body = api.get(f"/api/v1/projects/{project.id}/").json()
    received = body["fund_allocations"]
    assert received["total_yuan"] == 6_234_567
    assert received["total_wan_yuan"] == "623.4567"  # 元 ÷ 10,000, exact
    assert received["planned_wan_yuan"] == "600.00"
    assert sorted(a["amount_wan_yuan"] for a in received["allocations"]) == ["123.4567", "500.0000"]
    assert body["units"]["total_budget"] == "wan_yuan"
    assert body["units"]["fund_allocations.allocations.amount_yuan"] == "yuan"
    # The list shows them too, at the same fixed number of queries (see test_projects_api).
    listed = api.get("/api/v1/projects/", {"search": project.code}).json()["results"][0]
    assert listed["fund_allocations"]["total_yuan"] == 6_234_567


def test_every_money_field_states_its_unit_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    described = {
        ("Project", "total_budget"),
        ("FundingShare", "amount"),
        ("ProgressReport", "cumulative_investment"),
        ("InvestmentShare", "amount"),
        ("LatestProgress", "cumulative_investment"),
        ("FundAllocationBrief", "amount_yuan"),
        ("FundAllocationBrief", "amount_wan_yuan"),
    }
    for component, field in described:
        description = schema[component]["properties"][field].get("description", "")
        assert "元" in description, (component, field)
    assert "wan_yuan" in schema["Project"]["properties"]["units"]["description"]


def test_the_admin_takes_investment_per_source_through_the_same_rules(sc_staff, project):
    from django.test import Client

    client = Client()
    client.force_login(sc_staff)
    central, provincial = (FundingSource.objects.get(code=code) for code in ("central", "provincial"))
    form = {
        "project": str(project.id),
        "period": "2024-07",
        "narrative": "进展",
        "percent_complete": "10",
        "cumulative_investment": "900",
        "correction_reason": "",
        "investment-TOTAL_FORMS": "2",
        "investment-INITIAL_FORMS": "0",
        "investment-0-source": str(central.pk),
        "investment-0-amount": "600",
        "investment-1-source": str(provincial.pk),
        "investment-1-amount": "200",
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    refused = client.post("/admin/restoration/progressreport/add/", form)
    assert refused.status_code == 200 and "800.00" in refused.content.decode()
    assert not ProgressReport.objects.filter(period="2024-07").exists()
    saved = client.post("/admin/restoration/progressreport/add/", {**form, "cumulative_investment": "800"})
    assert saved.status_code == 302
    report = ProgressReport.objects.get(period="2024-07")
    assert {row.source.code: row.amount for row in report.investment.all()} == {
        "central": Decimal("600"),
        "provincial": Decimal("200"),
    }


def test_a_new_report_writes_its_rows_once_and_its_history_holds_them(api, project):
    """A new report's values and amounts per source are written in one insert each: the rows,
    the answer and the creation's history agree; a source named twice is refused, nothing saved."""
    sent = payload(
        project,
        "2024-07",
        values=[{"indicator": "forest-restored-area", "value": "4.5"}],
        investment=[{"source": "central", "amount": "10"}, {"source": "provincial", "amount": "5"}],
    )
    body = api.post(REPORTS, sent, format="json").json()
    report = ProgressReport.objects.get(pk=body["id"])
    assert sorted((v.indicator.code, v.value) for v in report.values.all()) == [
        ("forest-restored-area", Decimal("4.5"))
    ]
    assert sorted((i.source.code, i.amount) for i in report.investment.all()) == [
        ("central", Decimal("10")),
        ("provincial", Decimal("5")),
    ]
    created = ChangeRecord.objects.get(object_id=str(report.pk), action="create")
    assert created.after["values"] == {"forest-restored-area": "4.500"}
    assert created.after["investment"] == {"central": "10.00", "provincial": "5.00"}

    twice = [{"source": "central", "amount": "10"}, {"source": "central", "amount": "5"}]
    refused = api.post(REPORTS, payload(project, "2024-08", investment=twice), format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["investment"]
    assert not ProgressReport.objects.filter(project=project, period="2024-08").exists()
