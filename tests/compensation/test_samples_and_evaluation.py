"""Samples and evaluation (issue 14): no future dates, the documented "<DL" form in JSON as in CSV,
the evaluation method honoured, "no data" neither meeting nor missing a target, and every month of
a month-by-month settlement listed with its class and verdict."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.compensation import services
from projects.compensation.choices import EvaluationMethod, RuleKind
from projects.compensation.models import Measurement, WaterSample
from tests.compensation.factories import AgreementFactory, RuleFactory, SectionFactory, add_sample, measurements

pytestmark = pytest.mark.django_db
SAMPLES = "/api/v1/water-quality-samples/"


def evaluation(client, section, **query):
    return client.get(f"/api/v1/monitoring-sections/{section.pk}/evaluation/", query).json()


def test_a_sample_dated_in_the_future_is_refused(client_for, sc_staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day in ("2099-12-31", tomorrow.isoformat()):
        body = {"section": SectionFactory().code, "sampled_on": day, "measurements": measurements()}
        response = client_for(sc_staff).post(SAMPLES, body, format="json")
        assert response.status_code == 400
        assert "sampled_on" in response.json()["errors"]
    assert not WaterSample.objects.exists()


def test_a_csv_line_dated_in_the_future_is_reported(client_for, sc_staff):
    section = SectionFactory()
    text = "section,sampled_on,parameter,value,unit\n" + "".join(
        f"{section.code},2099-12-31,{m['parameter']},{m['value']},{m['unit']}\n" for m in measurements()
    )
    file = SimpleUploadedFile("samples.csv", text.encode(), content_type="text/csv")
    response = client_for(sc_staff).post(f"{SAMPLES}upload/", {"file": file}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["line"] == 2
    assert not WaterSample.objects.exists()


def test_the_below_detection_limit_form_is_accepted_in_json_as_in_csv(client_for, sc_staff):
    items = [m for m in measurements() if m["parameter"] != "tp"] + [
        {"parameter": "tp", "value": "<0.01", "unit": "mg/L"}
    ]
    response = client_for(sc_staff).post(
        SAMPLES, {"section": SectionFactory().code, "sampled_on": "2023-03-10", "measurements": items}, format="json"
    )
    assert response.status_code == 201, response.json()
    tp = Measurement.objects.get(parameter="tp")
    assert (tp.below_detection_limit, tp.detection_limit, tp.effective_value) == (
        True,
        Decimal("0.01"),
        Decimal("0.005"),
    )
    read = next(m for m in response.json()["measurements"] if m["parameter"] == "tp")
    assert (read["below_detection_limit"], read["detection_limit"]) == (True, "0.01")


def test_monthly_mean_judges_month_by_month_and_lists_every_month(client_for, joint_office):
    section = SectionFactory()
    for month, tp in ((1, "0.10"), (2, "0.20"), (3, "0.36")):  # months II, III, V; the mean 0.22 is IV
        add_sample(joint_office, section, datetime.date(2023, month, 1), tp=tp)
    client = client_for(joint_office)
    yearly = evaluation(client, section, start="2023-01-01", end="2023-12-31", method="period_mean")
    monthly = evaluation(client, section, start="2023-01-01", end="2023-12-31", method="monthly_mean")
    assert (yearly["method"], yearly["class"]) == ("period_mean", 4)
    assert (monthly["method"], monthly["class"], monthly["limiting"]) == ("monthly_mean", 5, ["tp"])
    assert list(monthly["months"]) == [f"2023-{m:02d}" for m in range(1, 13)]
    assert [m["class"] for m in monthly["months"].values()][:4] == [2, 3, 5, None]
    assert [m["status"] for m in monthly["months"].values()][:4] == ["met", "met", "missed", "no_data"]
    assert monthly["months"]["2023-04"]["meets_target"] is None


def test_a_period_without_samples_neither_meets_nor_misses_its_target(client_for, joint_office):
    section = SectionFactory()
    add_sample(joint_office, section, datetime.date(2022, 6, 1))
    for method in ("period_mean", "monthly_mean"):
        body = evaluation(client_for(joint_office), section, start="2023-01-01", end="2023-12-31", method=method)
        assert (body["samples"], body["class"], body["meets_target"], body["status"]) == (0, None, None, "no_data")


def test_a_month_by_month_settlement_lists_every_month_with_its_class_and_verdict(joint_office):
    agreement = AgreementFactory(evaluation_method=EvaluationMethod.MONTHLY_MEAN)
    section = agreement.sections.get()
    for month, tp in ((1, "0.10"), (2, "0.15"), (6, "0.26")):
        add_sample(joint_office, section, datetime.date(2023, month, 10), tp=tp)
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    step = next(s for s in settlement.steps if s["kind"] == "section")
    assert step["method"] == "monthly_mean" and "means" not in step
    months = step["months"]
    assert len(months) == 12
    assert months["2023-06"] == {
        "samples": 1,
        "class": 4,
        "limiting": ["tp"],
        "meets_target": False,
        "status": "missed",
    }
    assert (months["2023-01"]["status"], months["2023-03"]["status"]) == ("met", "no_data")
    assert (step["class"], step["meets_target"], settlement.payer) == (4, False, "upstream")


def test_months_meeting_the_target_list_every_month_with_its_verdict(joint_office):
    agreement = AgreementFactory(
        rule=RuleFactory(kind=RuleKind.MONTHS_MEETING_TARGET, amount_met=500_000, amount_missed=1_000_000)
    )
    for month, tp in ((1, "0.10"), (2, "0.25")):
        add_sample(joint_office, agreement.sections.get(), datetime.date(2023, month, 10), tp=tp)
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    step = next(s for s in settlement.steps if s["kind"] == "months")
    assert len(step["months"]) == 12
    assert [step["months"][m]["meets_target"] for m in ("2023-01", "2023-02", "2023-03")] == [True, False, None]
    assert (step["met"], step["missed"], step["no_data"], step["transfer"]) == (1, 1, 10, -500_000)
