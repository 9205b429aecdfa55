"""The worked examples of docs/compensation.md ("How each figure is computed"), recomputed: the
figures the document states are the figures the tracker computes."""

import datetime
from pathlib import Path

import pytest

from projects.compensation import services
from projects.compensation.choices import RuleKind
from projects.core.models import Corridor, KeyArea, Province
from tests.compensation.factories import AgreementFactory, RuleFactory, SectionFactory, add_sample, fund, org

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "compensation.md"


@pytest.fixture(scope="module")
def figures() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## How each figure is computed")
    return text[start : text.index("\n## ", start + 1)]


def example(figures: str, heading: str) -> str:
    start = figures.index(f"### {heading}")
    end = figures.find("\n### ", start + 1)
    return figures[start : end if end != -1 else None]


def stated(section: str, *figures: str) -> None:
    for figure in figures:
        assert figure in section, f"docs/compensation.md no longer states {figure}"


def settle(actor, agreement, period="2023"):
    return services.settlement_compute(
        instance=services.settlement_save(actor=actor, data={"agreement": agreement, "period": period})
    )


def test_sample_class(figures, joint_office):
    doc = example(figures, "Sample class")
    section = SectionFactory()
    values = {"ph": "7.5", "do": "7.0", "codmn": "3.0", "cod": "12", "bod5": "2.5", "nh3n": "0.4"}
    sample = add_sample(joint_office, section, datetime.date(2023, 1, 5), **values, tp="0.25")
    assert (sample.water_class, sample.limiting_parameters) == (4, ["tp"])
    mercury = add_sample(joint_office, section, datetime.date(2023, 1, 6), **values, tp="0.25", hg="0.0000501")
    assert mercury.water_class == 4
    limiting = add_sample(joint_office, section, datetime.date(2023, 1, 7), **values, tp="0.08", hg="0.0000501")
    assert (limiting.water_class, limiting.limiting_parameters) == (3, ["hg"])
    stated(doc, "class IV, limiting TP", "0.0000501", "class III, limiting Hg")


def test_section_evaluation(figures, client_for, joint_office):
    doc = example(figures, "Section evaluation")
    section = SectionFactory(target_class=3)
    for month, tp in ((1, "0.10"), (2, "0.20"), (3, "0.36")):
        add_sample(joint_office, section, datetime.date(2023, month, 1), tp=tp)
    client = client_for(joint_office)
    url = f"/api/v1/monitoring-sections/{section.pk}/evaluation/"
    yearly = client.get(url, {"start": "2023-01-01", "end": "2023-12-31"}).json()
    monthly = client.get(url, {"start": "2023-01-01", "end": "2023-12-31", "method": "monthly_mean"}).json()
    assert (yearly["means"]["tp"], yearly["class"], yearly["status"]) == ("0.22", 4, "missed")
    assert (monthly["class"], monthly["status"]) == (5, "missed")
    assert [m["class"] for m in monthly["months"].values()] == [2, 3, 5] + [None] * 9
    stated(doc, "TP mean 0.22", "class IV, missed", "class V, missed", "April–December no data")

    exact = SectionFactory(target_class=1)
    class_one = {"ph": "7.5", "do": "8", "codmn": "1.5", "cod": "10", "bod5": "2", "tp": "0.02"}
    for month, nh3n in ((1, "0.150001"), (2, "0.15"), (3, "0.15")):
        add_sample(joint_office, exact, datetime.date(2023, month, 1), **class_one, nh3n=nh3n)
    body = client.get(
        f"/api/v1/monitoring-sections/{exact.pk}/evaluation/", {"start": "2023-01-01", "end": "2023-12-31"}
    ).json()
    assert (body["means"]["nh3n"], body["class"]) == ("0.15000033333333333333…", 2)
    stated(doc, body["means"]["nh3n"], "class II")


def test_settlement(figures, joint_office):
    doc = example(figures, "Settlement")
    agreement = AgreementFactory(
        rule=RuleFactory(kind=RuleKind.MONTHS_MEETING_TARGET, amount_met=500_000, amount_missed=1_000_000)
    )
    for month in range(1, 13):
        tp = "0.25" if month in (6, 7, 8) else "0.10"
        add_sample(joint_office, agreement.sections.get(), datetime.date(2023, month, 15), tp=tp)
    settlement = settle(joint_office, agreement)
    months = next(step for step in settlement.steps if step["kind"] == "months")
    assert (months["met"], months["missed"]) == (9, 3)
    assert (settlement.payer, settlement.amount) == ("downstream", 1_500_000)
    stated(doc, "9 months met, 3 missed", "9 × 500,000 − 3 × 1,000,000", "1,500,000 yuan")


def test_improvement_index(figures, joint_office):
    doc = example(figures, "Improvement index")
    rule = RuleFactory(
        kind=RuleKind.IMPROVEMENT_INDEX,
        parameters={"weights": {"tp": "0.5", "nh3n": "0.5"}, "k0": "0.85", "baseline": {"tp": "0.20", "nh3n": "0.40"}},
    )
    agreement = AgreementFactory(rule=rule)
    add_sample(joint_office, agreement.sections.get(), datetime.date(2023, 3, 1), tp="0.15", nh3n="0.40")
    settlement = settle(joint_office, agreement)
    step = next(step for step in settlement.steps if step["kind"] == "index")
    assert (step["terms"], step["index"], step["index_rounded"]) == (
        {"nh3n": "0.5", "tp": "0.375"},
        "0.74375",
        "0.7438",
    )
    assert settlement.payer == "downstream"
    stated(doc, "terms 0.375 and 0.5", "0.85 × 0.875 = **0.74375**", "≈ 0.7438")

    edge = AgreementFactory(
        rule=RuleFactory(
            kind=RuleKind.IMPROVEMENT_INDEX,
            parameters={"weights": {"tp": "1"}, "k0": "1", "baseline": {"tp": "1"}},
        )
    )
    add_sample(joint_office, edge.sections.get(), datetime.date(2023, 3, 1), tp="1.00004")
    settlement = settle(joint_office, edge)
    assert next(step for step in settlement.steps if step["kind"] == "index")["index"] == "1.00004"
    assert settlement.payer == "upstream"
    stated(doc, "**1.00004** > 1", "1.0000")


def test_fund_totals(figures, client_for, joint_office):
    doc = example(figures, "Fund totals")

    def contribute(slug, day, amount):
        services.fund_contribution_save(
            actor=joint_office, data={"fund": fund(), "contributor": org(slug), "received_on": day, "amount": amount}
        )

    def allocate(day, amount, province, **target):
        services.fund_allocation_save(
            actor=joint_office,
            data={"fund": fund(), "allocated_on": day, "amount": amount, "province": province, **target},
        )

    sichuan, chongqing = Province.objects.get(code="510000"), Province.objects.get(code="500000")
    contribute("sc-natural-resources", datetime.date(2022, 1, 10), 3_000_000)
    contribute("cq-planning-natural-resources", datetime.date(2023, 1, 10), 2_000_000)
    allocate(datetime.date(2022, 5, 1), 1_000_000, sichuan, corridor=Corridor.objects.get(slug="jialing"))
    allocate(datetime.date(2023, 5, 1), 500_000, chongqing, key_area=KeyArea.objects.get(slug="three-gorges"))
    allocate(datetime.date(2023, 6, 1), 500_000, sichuan, corridor=Corridor.objects.get(slug="chishui"))
    totals = client_for(joint_office).get("/api/v1/fund-allocations/totals/", {"fund": fund().code}).json()
    assert (totals["contributed"], totals["allocated"], totals["balance"]) == (5_000_000, 2_000_000, 3_000_000)
    assert totals["upstream_barrier"] == {"allocated": 1_500_000, "share": "0.7500", "share_exact": "0.75"}
    stated(doc, "**5,000,000**", "**2,000,000**", "**3,000,000**", "**1,500,000**", "**0.75** (shown 0.7500)")
