"""The compensation fund: money in and out, a balance that never goes negative, totals that show the tilt."""

import pytest

from projects.compensation.models import FundAllocation, FundContribution
from projects.core.models import ChangeRecord, Corridor, KeyArea, Province
from tests.compensation.factories import fund, org

pytestmark = pytest.mark.django_db
IN, OUT = "/api/v1/fund-contributions/", "/api/v1/fund-allocations/"
FUND = "yangtze-belt-compensation-fund"


def contribute(client, slug, day, amount):
    return client.post(
        IN,
        {"fund": FUND, "contributor": str(org(slug).pk), "received_on": day, "amount": amount},
        format="json",
    )


def allocate(client, day, amount, province="510000", corridor="jialing", key_area=None):
    body = {
        "fund": FUND,
        "allocated_on": day,
        "amount": amount,
        "province": str(Province.objects.get(code=province).pk),
    }
    if corridor:
        body["corridor"] = str(Corridor.objects.get(slug=corridor).pk)
    if key_area:
        body["key_area"] = str(KeyArea.objects.get(slug=key_area).pk)
    return client.post(OUT, body, format="json")


def test_allocations_beyond_the_balance_are_refused_with_a_clear_error(client_for, joint_office):
    client = client_for(joint_office)
    assert contribute(client, "sc-natural-resources", "2023-01-10", 1_000_000).status_code == 201
    assert allocate(client, "2023-02-01", 600_000).status_code == 201
    history = ChangeRecord.objects.count()
    refused = allocate(client, "2023-03-01", 500_000)
    assert refused.status_code == 409
    assert "overdrawn" in refused.json()["detail"] or "透支" in refused.json()["detail"]
    assert refused.json()["balance"] == -100_000
    assert FundAllocation.objects.count() == 1
    assert ChangeRecord.objects.count() == history


def test_money_must_be_in_the_fund_before_the_date_it_is_allocated(client_for, joint_office):
    client = client_for(joint_office)
    contribute(client, "sc-natural-resources", "2023-06-01", 1_000_000)
    assert allocate(client, "2023-01-01", 100_000).status_code == 409


def test_removing_a_contribution_that_paid_for_allocations_is_refused(client_for, joint_office):
    client = client_for(joint_office)
    contribution = contribute(client, "cq-planning-natural-resources", "2023-01-10", 1_000_000).json()
    allocate(client, "2023-02-01", 900_000, province="500000")
    assert client.delete(f"{IN}{contribution['id']}/").status_code == 409
    assert client.patch(f"{IN}{contribution['id']}/", {"amount": 500_000}, format="json").status_code == 409
    assert FundContribution.objects.get().amount == 1_000_000


def test_negative_or_zero_amounts_are_a_400(client_for, joint_office):
    response = contribute(client_for(joint_office), "sc-natural-resources", "2023-01-10", -5)
    assert response.status_code == 400
    assert "amount" in response.json()["errors"]


def test_an_allocation_needs_a_target_in_its_province(client_for, joint_office):
    client = client_for(joint_office)
    contribute(client, "sc-natural-resources", "2023-01-10", 1_000_000)
    no_target = allocate(client, "2023-02-01", 100, corridor=None)
    assert no_target.status_code == 400 and "corridor" in no_target.json()["errors"]
    wrong_province = allocate(client, "2023-02-01", 100, province="510000", corridor="wu")
    assert wrong_province.status_code == 400 and "province" in wrong_province.json()["errors"]


def test_totals_by_corridor_province_and_year_show_the_upstream_barrier_share(client_for, joint_office):
    client = client_for(joint_office)
    contribute(client, "sc-natural-resources", "2022-01-10", 3_000_000)
    contribute(client, "cq-planning-natural-resources", "2023-01-10", 2_000_000)
    allocate(client, "2022-05-01", 1_000_000, province="510000", corridor="jialing")
    allocate(client, "2023-05-01", 500_000, province="500000", corridor=None, key_area="three-gorges")
    allocate(client, "2023-06-01", 500_000, province="510000", corridor="chishui")  # not one of the six rivers
    totals = client.get(f"{OUT}totals/", {"fund": FUND}).json()
    assert (totals["contributed"], totals["allocated"], totals["balance"]) == (5_000_000, 2_000_000, 3_000_000)
    assert totals["upstream_barrier"] == {"allocated": 1_500_000, "share": "0.7500", "share_exact": "0.75"}
    assert totals["by_year"] == [
        {"year": 2022, "contributed": 3_000_000, "allocated": 1_000_000},
        {"year": 2023, "contributed": 2_000_000, "allocated": 1_000_000},
    ]
    provinces = {row["province"]: row for row in totals["by_province"]}
    assert provinces["510000"]["allocated"] == 1_500_000 and provinces["500000"]["contributed"] == 2_000_000
    assert {row["corridor"]: row["allocated"] for row in totals["by_corridor"]} == {
        "jialing": 1_000_000,
        "": 500_000,
        "chishui": 500_000,
    }


def test_sichuan_staff_record_their_own_contributions_only(client_for, sc_staff):
    client = client_for(sc_staff)
    assert contribute(client, "sc-natural-resources", "2023-01-10", 100).status_code == 201
    assert contribute(client, "cq-planning-natural-resources", "2023-01-10", 100).status_code == 403
    assert allocate(client, "2023-02-01", 50).status_code == 403
    assert fund().contributions.count() == 1
