"""Settlements: computed by a task from the samples and the rule, replayable, locked once confirmed."""

import datetime

import pytest

from projects.compensation import services
from projects.compensation.choices import RuleKind
from projects.compensation.models import Settlement
from projects.compensation.settlement import calculate
from projects.compensation.tasks import compute_settlement
from projects.core.errors import DomainError
from projects.core.models import ChangeRecord
from tests.compensation.factories import AgreementFactory, RuleFactory, SectionFactory, add_sample, measurements

pytestmark = pytest.mark.django_db
URL = "/api/v1/settlements/"


def monthly_samples(actor, section, year, tp_by_month):
    for month, tp in tp_by_month.items():
        add_sample(actor, section, datetime.date(year, month, 15), tp=tp)


def opened(actor, agreement, period="2023"):
    return services.settlement_save(actor=actor, data={"agreement": agreement, "period": period})


def computed(actor, agreement, period="2023"):
    return services.settlement_compute(instance=opened(actor, agreement, period))


def transition(client, settlement, to, **body):
    return client.post(f"{URL}{settlement.pk}/transition/", {"to": to, **body}, format="json")


def open_settlement(client, agreement, period, capture):
    with capture(execute=True):
        response = client.post(URL, {"agreement": str(agreement.pk), "period": period}, format="json")
    assert response.status_code == 202, response.json()
    return Settlement.objects.get(pk=response.json()["id"])


def test_downstream_pays_upstream_when_the_section_meets_its_target(
    client_for, joint_office, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory()
    monthly_samples(joint_office, agreement.sections.get(), 2023, dict.fromkeys(range(1, 13), "0.12"))
    settlement = open_settlement(client_for(joint_office), agreement, "2023", django_capture_on_commit_callbacks)
    assert settlement.status == "computed"
    assert (settlement.payer, settlement.amount) == ("downstream", 10_000_000)
    body = client_for(joint_office).get(f"{URL}{settlement.pk}/").json()
    assert body["payer_name"] == "重庆市" and body["payee_name"] == "四川省"
    section_step = next(s for s in body["steps"] if s["kind"] == "section")
    assert section_step["class"] == 3 and section_step["samples"] == 12 and section_step["meets_target"]
    assert all(step["text"] for step in body["steps"])
    assert len(body["inputs"]["sections"][0]["samples"]) == 12


def test_upstream_pays_downstream_when_the_section_misses_its_target(
    client_for, joint_office, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory(rule=RuleFactory(amount_missed=4_000_000))
    monthly_samples(joint_office, agreement.sections.get(), 2023, {1: "0.26", 2: "0.28"})
    settlement = open_settlement(client_for(joint_office), agreement, "2023", django_capture_on_commit_callbacks)
    assert (settlement.payer, settlement.amount) == ("upstream", 4_000_000)
    step = next(s for s in settlement.steps if s["kind"] == "section")
    assert step["limiting"] == ["tp"] and step["class"] == 4


def test_months_meeting_the_target_weigh_the_amount(joint_office):
    agreement = AgreementFactory(
        rule=RuleFactory(kind=RuleKind.MONTHS_MEETING_TARGET, amount_met=500_000, amount_missed=1_000_000)
    )
    # 9 months met, 3 missed: 9 × 50万 − 3 × 100万 = 150万 from downstream to upstream.
    tp = {m: ("0.25" if m in (6, 7, 8) else "0.10") for m in range(1, 13)}
    monthly_samples(joint_office, agreement.sections.get(), 2023, tp)
    settlement = computed(joint_office, agreement)
    assert (settlement.payer, settlement.amount) == ("downstream", 1_500_000)
    months = next(s for s in settlement.steps if s["kind"] == "months")
    assert (months["met"], months["missed"]) == (9, 3)


def test_improvement_over_a_baseline_uses_the_index_rule(joint_office):
    rule = RuleFactory(
        kind=RuleKind.IMPROVEMENT_INDEX,
        parameters={
            "weights": {"tp": "0.5", "nh3n": "0.5"},
            "k0": "0.85",
            "threshold": "1",
            "baseline": {"tp": "0.10", "nh3n": "0.40"},
        },
    )
    agreement = AgreementFactory(rule=rule)
    monthly_samples(joint_office, agreement.sections.get(), 2023, {1: "0.12", 2: "0.12"})
    settlement = computed(joint_office, agreement)
    step = next(s for s in settlement.steps if s["kind"] == "index")
    # P = 0.85 × (0.5 × 0.12/0.10 + 0.5 × 0.4/0.4) = 0.85 × 1.1 = 0.935 ≤ 1: downstream pays.
    assert (step["index"], step["index_rounded"]) == ("0.935", "0.9350")
    assert settlement.payer == "downstream"


def test_bad_index_rule_parameters_are_a_400_with_the_field(client_for, joint_office):
    response = client_for(joint_office).post(
        "/api/v1/settlement-rules/",
        {"code": "bad-index", "name_zh": "坏规则", "kind": "improvement_index", "parameters": {"weights": {"xx": 1}}},
        format="json",
    )
    assert response.status_code == 400
    assert "parameters" in response.json()["errors"]


def test_the_trend_rule_compares_with_the_previous_period(joint_office):
    agreement = AgreementFactory(rule=RuleFactory(kind=RuleKind.CLASS_VS_TARGET_AND_TREND, amount_missed=2_000_000))
    section = agreement.sections.get()
    monthly_samples(joint_office, section, 2022, {1: "0.08"})  # class II
    monthly_samples(joint_office, section, 2023, {1: "0.15"})  # class III: meets, but worse
    settlement = computed(joint_office, agreement)
    assert (settlement.payer, settlement.amount) == ("upstream", 2_000_000)


def test_recomputing_with_the_same_data_gives_the_same_result_and_is_replayable(joint_office):
    agreement = AgreementFactory()
    monthly_samples(joint_office, agreement.sections.get(), 2023, {1: "0.12", 5: "0.3", 9: "0.1"})
    settlement = opened(joint_office, agreement)
    first = services.settlement_compute(instance=settlement)
    compute_settlement(str(settlement.pk))  # the task, run a second time
    again = Settlement.objects.get(pk=settlement.pk)
    assert (again.input_digest, again.steps, again.payer, again.amount) == (
        first.input_digest,
        first.steps,
        first.payer,
        first.amount,
    )
    replay = calculate(again.inputs)  # anyone can check the result from the stored inputs
    assert (replay["payer"], replay["amount"], replay["steps"]) == (again.payer, again.amount, again.steps)


def test_confirmed_by_both_parties_the_settlement_is_locked(
    client_for, sc_staff, cq_staff, joint_office, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory()
    section = agreement.sections.get()
    monthly_samples(joint_office, section, 2023, {1: "0.12"})
    settlement = open_settlement(client_for(joint_office), agreement, "2023", django_capture_on_commit_callbacks)
    first = transition(client_for(sc_staff), settlement, "confirmed")
    assert first.status_code == 200 and first.json()["status"] == "computed"
    assert first.json()["upstream_confirmed_at"]
    again = transition(client_for(sc_staff), settlement, "confirmed")
    assert again.status_code == 409
    second = transition(client_for(cq_staff), settlement, "confirmed")
    assert second.json()["status"] == "confirmed"

    refused = transition(client_for(joint_office), settlement, "computed")
    assert refused.status_code == 409
    assert refused.json()["allowed"] == []
    # The data it was computed from can no longer change either.
    sample = section.samples.get()
    with pytest.raises(DomainError):
        services.sample_save(actor=joint_office, instance=sample, data={"measurements": measurements(tp="0.3")})
    assert client_for(joint_office).delete(f"/api/v1/water-quality-samples/{sample.pk}/").status_code == 409
    assert client_for(joint_office).delete(f"{URL}{settlement.pk}/").status_code == 403
    records = ChangeRecord.objects.for_object(settlement)
    assert set(records.values_list("event", flat=True)) == {
        "compensation.settlement.created",
        "compensation.settlement.computed",
        "compensation.settlement.party_confirmed",
        "compensation.settlement.confirmed",
    }


def test_confirming_a_pending_settlement_is_a_409_naming_the_allowed_states(client_for, sc_staff, joint_office):
    agreement = AgreementFactory()
    settlement = opened(joint_office, agreement)
    response = transition(client_for(sc_staff), settlement, "confirmed")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["computed"]


def test_guizhou_staff_cannot_confirm_a_sichuan_chongqing_settlement(client_for, gz_staff, joint_office):
    agreement = AgreementFactory()
    settlement = computed(joint_office, agreement)
    assert transition(client_for(gz_staff), settlement, "confirmed").status_code == 403


def test_a_changed_result_clears_earlier_confirmations(sc_staff, joint_office):
    agreement = AgreementFactory()
    section = agreement.sections.get()
    monthly_samples(joint_office, section, 2023, {1: "0.12"})
    settlement = computed(joint_office, agreement)
    services.settlement_transition(actor=sc_staff, instance=settlement, to="confirmed")
    monthly_samples(joint_office, section, 2023, {2: "0.40", 3: "0.40"})
    settlement = services.settlement_transition(actor=joint_office, instance=settlement, to="computed")
    assert settlement.payer == "upstream"
    assert settlement.upstream_confirmed_at is None


@pytest.mark.parametrize(
    ("period", "field"),
    [("2023-05", "period"), ("2030", "period"), ("2019", "period"), ("last year", "period")],
)
def test_bad_periods_are_a_400_naming_the_field(client_for, joint_office, period, field):
    agreement = AgreementFactory()
    response = client_for(joint_office).post(URL, {"agreement": str(agreement.pk), "period": period}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Settlement.objects.count() == 0


def test_a_second_settlement_for_the_same_period_is_a_400(client_for, joint_office):
    agreement = AgreementFactory()
    opened(joint_office, agreement)
    response = client_for(joint_office).post(URL, {"agreement": str(agreement.pk), "period": "2023"}, format="json")
    assert response.status_code == 400


def test_the_daily_task_opens_and_computes_settlements_of_ended_periods(
    joint_office, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory(start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2023, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        opened = services.settlements_schedule_due(today=datetime.date(2024, 2, 1))
    assert len(opened) == 2
    assert set(agreement.settlements.values_list("period", "status")) == {("2022", "computed"), ("2023", "computed")}
    assert services.settlements_schedule_due(today=datetime.date(2024, 2, 1)) == []


def test_agreement_transitions_are_checked(client_for, joint_office):
    agreement = AgreementFactory(status="draft")
    url = f"/api/v1/compensation-agreements/{agreement.pk}/transition/"
    assert client_for(joint_office).post(url, {"to": "in_force"}, format="json").json()["status"] == "in_force"
    refused = client_for(joint_office).post(url, {"to": "draft"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["expired", "terminated", "superseded"]


def test_agreement_parties_must_differ_and_dates_be_in_order(client_for, joint_office):
    agreement = AgreementFactory()
    response = client_for(joint_office).patch(
        f"/api/v1/compensation-agreements/{agreement.pk}/",
        {"downstream_province": str(agreement.upstream_province_id), "end_date": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert {"downstream_province", "end_date"} <= set(response.json()["errors"])


def test_sections_of_an_agreement_are_created_by_the_api(client_for, joint_office):
    section = SectionFactory()
    rule = RuleFactory()
    response = client_for(joint_office).post(
        "/api/v1/compensation-agreements/",
        {
            "code": "api-agreement",
            "name_zh": "接口协议",
            "river": "濑溪河",
            "upstream_province": "00000000-0000-0000-0000-000000000000",
            "downstream_province": "00000000-0000-0000-0000-000000000000",
            "start_date": "2023-01-01",
            "end_date": "2025-12-31",
            "sections": [str(section.pk)],
            "rule": str(rule.pk),
        },
        format="json",
    )
    assert response.status_code == 400  # unknown provinces
    assert {"upstream_province", "downstream_province"} <= set(response.json()["errors"])
