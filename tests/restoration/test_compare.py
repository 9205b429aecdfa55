"""What changed since the last accepted report: the comparison, its API action and its admin panel."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from projects.restoration.comparison import compare_with_last_accepted
from projects.restoration.models import FundingSource, Indicator, IndicatorValue, ReportAttachment, ReportInvestment
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

pytestmark = pytest.mark.django_db


def _value(report, code, value):
    IndicatorValue.objects.create(report=report, indicator=Indicator.objects.get(code=code), value=Decimal(value))


def _invest(report, code, amount):
    ReportInvestment.objects.create(report=report, source=FundingSource.objects.get(code=code), amount=Decimal(amount))


def _attach(report, name, user):
    attachment = ReportAttachment(report=report, kind="photo", title=name, size=3, uploaded_by=user)
    attachment.file.save(name, ContentFile(b"abc"), save=False)
    attachment.save()


@pytest.fixture
def pair(sc_staff):
    project = ProjectFactory(code="SC-2024-0501", partners=[org("cq-planning-natural-resources")])
    TargetFactory(project=project)
    TargetFactory(project=project, indicator=Indicator.objects.get(code="natural-shoreline-ratio"), target_value=90)
    old = ReportFactory(
        project=project,
        period="2025-03",
        status="accepted",
        narrative="完成岸坡整治。\n种植乔木 200 株。",
        percent_complete=Decimal("30"),
        cumulative_investment=Decimal("300"),
        reported_by=sc_staff,
    )
    _value(old, "forest-restored-area", "10")
    _value(old, "natural-shoreline-ratio", "80")
    _invest(old, "central", "200")
    _invest(old, "provincial", "100")
    _attach(old, "before.jpg", sc_staff)
    _attach(old, "site.jpg", sc_staff)
    new = ReportFactory(
        project=project,
        period="2025-04",
        status="submitted",
        narrative="完成岸坡整治。\n种植乔木 350 株。",
        percent_complete=Decimal("25"),
        cumulative_investment=Decimal("320"),
        correction_reason="三月进度多报",
        reported_by=sc_staff,
    )
    _value(new, "forest-restored-area", "4")
    _value(new, "natural-shoreline-ratio", "78")
    _invest(new, "central", "240")
    _invest(new, "provincial", "80")
    _attach(new, "site.jpg", sc_staff)
    _attach(new, "after.jpg", sc_staff)
    return old, new


def test_the_comparison_shows_each_figure_against_the_last_accepted_report(pair):
    old, new = pair
    comparison = compare_with_last_accepted(new)
    assert comparison["baseline"] == {"id": str(old.pk), "period": "2025-03", "status": "accepted"}
    rows = {row["indicator"]: row for row in comparison["indicators"]}
    forest = rows["forest-restored-area"]
    assert forest["per_period"] == {"current": "4.000", "previous": "10.000", "change": "-6.000"}
    assert forest["absolute"] == {"current": "14.000", "previous": "10.000", "change": "4.000"}
    assert forest["went_backwards"] is False
    assert rows["restored-area"]["absolute"]["current"] == "14.000"  # derived, targeted
    assert rows["restored-area"]["per_period"]["current"] is None  # never reported itself
    assert rows["natural-shoreline-ratio"]["went_backwards"] is True
    assert comparison["percent_complete"] == {
        "current": "25.00",
        "previous": "30.00",
        "change": "-5.00",
        "went_backwards": True,
    }
    sources = {row["source"]: row for row in comparison["investment_by_source"]}
    assert sources["central"]["change"] == "40.00" and not sources["central"]["went_backwards"]
    assert sources["provincial"]["went_backwards"] is True
    assert comparison["went_backwards"] == [
        "indicator:natural-shoreline-ratio",
        "percent_complete",
        "investment:provincial",
    ]
    assert comparison["narrative"]["changed"] is True
    assert "-种植乔木 200 株。" in comparison["narrative"]["diff"]
    assert "+种植乔木 350 株。" in comparison["narrative"]["diff"]
    assert [a["file"] for a in comparison["attachments"]["added"]] == ["after.jpg"]
    assert [a["file"] for a in comparison["attachments"]["removed"]] == ["before.jpg"]
    assert [a["file"] for a in comparison["attachments"]["kept"]] == ["site.jpg"]


def test_a_first_report_has_no_baseline_and_everything_is_new(sc_staff):
    report = ReportFactory(period="2025-01", status="submitted", reported_by=sc_staff)
    comparison = compare_with_last_accepted(report)
    assert comparison["baseline"] is None
    assert comparison["percent_complete"]["previous"] is None and comparison["went_backwards"] == []


def test_a_later_accepted_report_is_not_the_baseline_of_an_earlier_one(pair, sc_staff):
    old, _new = pair
    assert compare_with_last_accepted(old)["baseline"] is None


def test_the_api_answers_the_comparison_to_readers_and_404_for_no_report(client_for, cq_staff, pair):
    _old, new = pair
    client = client_for(cq_staff)
    body = client.get(f"/api/v1/progress-reports/{new.pk}/compare/").json()
    assert body["went_backwards"] == compare_with_last_accepted(new)["went_backwards"]
    assert body["cumulative_investment"]["change"] == "20.00"
    missing = client.get("/api/v1/progress-reports/00000000-0000-0000-0000-000000000000/compare/")
    assert missing.status_code == 404


def test_anonymous_callers_cannot_compare(anonymous_client, pair):
    assert anonymous_client.get(f"/api/v1/progress-reports/{pair[1].pk}/compare/").status_code == 401


def test_the_admin_review_page_shows_the_comparison(cq_staff, pair):
    _old, new = pair
    client = Client()
    client.force_login(cq_staff)
    page = client.get(f"/admin/restoration/progressreport/{new.pk}/change/").content.decode()
    assert "+种植乔木 350 株。" in page
    assert "after.jpg" in page and "▼" in page
