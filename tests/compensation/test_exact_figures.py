"""Exact compensation figures: decimals end to end, no rounding before a comparison, values stored
as given, exact period means and plain decimal notation (issue 14)."""

import datetime
from decimal import Decimal

import pytest

from projects.compensation import services
from projects.compensation.choices import RuleKind
from projects.compensation.models import Measurement, SettlementRule, WaterSample
from projects.compensation.settlement import calculate
from tests.compensation.factories import AgreementFactory, RuleFactory, SectionFactory, add_sample, measurements

pytestmark = pytest.mark.django_db
SAMPLES = "/api/v1/water-quality-samples/"
# Class I in a river for every parameter: NH3-N at its class I limit of 0.15 mg/L.
CLASS_ONE = {"ph": "7.5", "do": "8", "codmn": "1.5", "cod": "10", "bod5": "2", "nh3n": "0.15", "tp": "0.02"}


def settle(actor, agreement, period="2023"):
    return services.settlement_compute(
        instance=services.settlement_save(actor=actor, data={"agreement": agreement, "period": period})
    )


def index_step(settlement):
    return next(step for step in settlement.steps if step["kind"] == "index")


def test_rule_parameters_sent_as_json_numbers_are_stored_as_the_decimals_written(client_for, joint_office):
    response = client_for(joint_office).post(
        "/api/v1/settlement-rules/",
        {
            "code": "xinanjiang-like",
            "name_zh": "改善指数",
            "kind": "improvement_index",
            "amount_met": 1000,
            "amount_missed": 1000,
            "parameters": {
                "weights": {"tp": 0.5, "nh3n": 0.5},
                "k0": 0.85,
                "threshold": 1,
                "baseline": {"tp": 0.2, "nh3n": 0.4},
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    stored = SettlementRule.objects.get().parameters
    assert stored == {
        "weights": {"tp": "0.5", "nh3n": "0.5"},
        "k0": "0.85",
        "threshold": "1",
        "baseline": {"tp": "0.2", "nh3n": "0.4"},
    }
    assert response.json()["parameters"]["k0"] == "0.85"


def test_a_json_number_with_more_digits_than_a_float_holds_keeps_them(client_for, joint_office):
    response = client_for(joint_office).post(
        "/api/v1/settlement-rules/",
        b'{"code": "precise", "name_zh": "x", "kind": "improvement_index", "parameters": '
        b'{"weights": {"tp": 1}, "k0": 0.123456789012345678901, "baseline": {"tp": 0.1}}}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert SettlementRule.objects.get().parameters["k0"] == "0.123456789012345678901"


def test_the_improvement_index_is_exact_and_shown_rounded_beside_it(client_for, joint_office):
    """P = 0.85 × (0.5 × 0.15/0.20 + 0.5 × 0.40/0.40) = 0.85 × 0.875 = 0.74375, not 0.7437 (float k0)
    nor 0.7438 (rounded): the rounded value is for display, beside the exact one."""
    client_for(joint_office).post(
        "/api/v1/settlement-rules/",
        {
            "code": "index-074375",
            "name_zh": "改善指数",
            "kind": "improvement_index",
            "amount_met": 1000,
            "amount_missed": 2000,
            "parameters": {"weights": {"tp": 0.5, "nh3n": 0.5}, "k0": 0.85, "baseline": {"tp": 0.2, "nh3n": 0.4}},
        },
        format="json",
    )
    agreement = AgreementFactory(rule=SettlementRule.objects.get(code="index-074375"))
    section = agreement.sections.get()
    for month in (3, 9):
        add_sample(joint_office, section, datetime.date(2023, month, 1), tp="0.15", nh3n="0.4")
    step = index_step(settle(joint_office, agreement))
    assert step["terms"] == {"nh3n": "0.5", "tp": "0.375"}
    assert (step["k0"], step["index"], step["index_rounded"]) == ("0.85", "0.74375", "0.7438")
    assert step["index_within_threshold"] is True


def test_an_index_just_above_the_threshold_is_not_rounded_down_to_it(joint_office):
    """P = 1 × 1.00004 / 1 = 1.00004 > 1: upstream pays. Rounded to 1.0000 first, downstream would."""
    rule = RuleFactory(
        kind=RuleKind.IMPROVEMENT_INDEX,
        amount_met=1_000_000,
        amount_missed=3_000_000,
        parameters={"weights": {"tp": "1"}, "k0": "1", "threshold": "1", "baseline": {"tp": "1"}},
    )
    agreement = AgreementFactory(rule=rule)
    add_sample(joint_office, agreement.sections.get(), datetime.date(2023, 5, 1), tp="1.00004")
    settlement = settle(joint_office, agreement)
    step = index_step(settlement)
    assert (step["index"], step["index_rounded"], step["index_within_threshold"]) == ("1.00004", "1.0000", False)
    assert (settlement.payer, settlement.amount) == ("upstream", 3_000_000)


def test_mercury_just_above_the_class_two_limit_is_stored_as_given_and_classed_by_it(client_for, sc_staff):
    section = SectionFactory()
    response = client_for(sc_staff).post(
        SAMPLES,
        {"section": section.code, "sampled_on": "2023-03-10", "measurements": measurements(hg="0.0000501")},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Measurement.objects.get(parameter="hg").value == Decimal("0.0000501")
    body = client_for(sc_staff).get(f"{SAMPLES}{response.json()['id']}/").json()
    assert {m["parameter"]: m["value"] for m in body["measurements"]}["hg"] == "0.0000501"
    assert (body["water_class"], body["limiting_parameters"]) == (3, ["hg"])  # > 0.00005 (II), ≤ 0.0001 (III)
    evaluation = (
        client_for(sc_staff)
        .get(f"/api/v1/monitoring-sections/{section.pk}/evaluation/", {"start": "2023-01-01", "end": "2023-12-31"})
        .json()
    )
    assert (evaluation["class"], evaluation["limiting"], evaluation["means"]["hg"]) == (3, ["hg"], "0.0000501")


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("hg", "0.00000000001"), ("tp", "0.12345678901234567"), ("hg", "0.00005012345678"), ("fecal_coliform", "1e-11")],
)
def test_a_value_that_cannot_be_stored_exactly_is_refused_never_rounded(client_for, sc_staff, parameter, value):
    unit = "个/L" if parameter == "fecal_coliform" else "mg/L"
    items = [m for m in measurements() if m["parameter"] != parameter] + [
        {"parameter": parameter, "value": value, "unit": unit}
    ]
    response = client_for(sc_staff).post(
        SAMPLES, {"section": SectionFactory().code, "sampled_on": "2023-03-10", "measurements": items}, format="json"
    )
    assert response.status_code == 400
    assert any("exact" in message or "精确" in message for message in response.json()["errors"]["measurements"])
    assert not WaterSample.objects.exists()


def test_a_period_mean_is_exact_before_it_is_classed(client_for, joint_office):
    """NH3-N 0.150001, 0.15 and 0.15: the mean is 0.150000333…, above the class I limit of 0.15:
    class II, not class I as a mean rounded to 0.150000 would give."""
    section = SectionFactory(target_class=1)
    agreement = AgreementFactory(sections=[section])
    for month, nh3n in ((1, "0.150001"), (2, "0.15"), (3, "0.15")):
        add_sample(joint_office, section, datetime.date(2023, month, 5), **{**CLASS_ONE, "nh3n": nh3n})
    body = (
        client_for(joint_office)
        .get(f"/api/v1/monitoring-sections/{section.pk}/evaluation/", {"start": "2023-01-01", "end": "2023-12-31"})
        .json()
    )
    assert body["means"]["nh3n"] == "0.15000033333333333333…"
    assert (body["class"], body["limiting"], body["meets_target"]) == (2, ["nh3n"], False)
    settlement = settle(joint_office, agreement)
    section_step = next(step for step in settlement.steps if step["kind"] == "section")
    assert (section_step["class"], section_step["meets_target"]) == (2, False)
    assert settlement.payer == "upstream"


def test_inputs_and_steps_write_numbers_in_plain_decimal_notation(client_for, joint_office):
    agreement = AgreementFactory()
    add_sample(joint_office, agreement.sections.get(), datetime.date(2023, 4, 1), cod="10", tp="0.1")
    settlement = settle(joint_office, agreement)
    body = client_for(joint_office).get(f"/api/v1/settlements/{settlement.pk}/").json()
    values = body["inputs"]["sections"][0]["samples"][0]["values"]
    assert (values["cod"], values["tp"]) == ("10", "0.1")
    means = next(step for step in body["steps"] if step["kind"] == "section")["means"]
    assert (means["cod"], means["tp"]) == ("10", "0.1")
    text = str(body["inputs"]) + str(body["steps"])
    assert "E+" not in text and "E-" not in text
    assert calculate(settlement.inputs)["steps"] == settlement.steps
