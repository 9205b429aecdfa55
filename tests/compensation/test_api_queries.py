"""Every list endpoint runs a fixed number of queries, whatever the page size."""

import datetime
from decimal import Decimal

import pytest

from projects.compensation import services
from projects.core.models import Corridor, Province
from tests.compensation.factories import (
    AgreementFactory,
    ProductFactory,
    StandardFactory,
    add_sample,
    fund,
    org,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[1, 3], ids=["1 row", "3 rows"])
def data(request, joint_office):
    """One, then three of everything: a page costs the same whatever it holds."""
    for _ in range(request.param):
        agreement = AgreementFactory()
        section = agreement.sections.get()
        add_sample(joint_office, section, datetime.date(2023, 1, 1))
        services.settlement_compute(
            instance=services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
        )
        services.fund_contribution_save(
            actor=joint_office,
            data={
                "fund": fund(),
                "contributor": org("sc-natural-resources"),
                "received_on": datetime.date(2023, 1, 1),
                "amount": 1000,
            },
        )
        services.fund_allocation_save(
            actor=joint_office,
            data={
                "fund": fund(),
                "province": Province.objects.get(code="510000"),
                "corridor": Corridor.objects.get(slug="jialing"),
                "allocated_on": datetime.date(2023, 2, 1),
                "amount": 100,
            },
        )
        standard = StandardFactory()
        standard.replaces.add(StandardFactory())
        product = ProductFactory()
        services.listing_save(
            actor=joint_office,
            data={
                "product": product,
                "quantity": Decimal("1"),
                "asking_price": Decimal("1"),
                "listed_on": datetime.date(2024, 1, 1),
            },
        )
        services.trade_save(
            actor=joint_office,
            data={
                "product": product,
                "buyer": org("cq-forestry"),
                "quantity": Decimal("1"),
                "unit_price": Decimal("10"),
                "traded_on": datetime.date(2024, 1, 1),
            },
        )


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # count + page + sections
        ("compensation-agreements", 3),
        ("settlement-rules", 2),
        # count + page + responsible organizations (with their provinces)
        ("monitoring-sections", 3),
        # count + page + measurements
        ("water-quality-samples", 3),
        # count + page (agreement and both parties joined)
        ("settlements", 2),
        ("fund-contributions", 2),
        ("fund-allocations", 2),
        # count + page + elements, measures, replaces, replaced_by, projects
        ("standards", 7),
        ("ecological-product-types", 2),
        # count + page (sold and remaining in a subquery)
        ("ecological-products", 2),
        ("product-listings", 2),
        ("trades", 2),
        ("carbon-coefficients", 2),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    client_for, sc_staff, data, django_assert_num_queries, name, queries
):
    client = client_for(sc_staff)
    with django_assert_num_queries(queries):
        response = client.get(f"/api/v1/{name}/", {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_fund_totals_and_harmonization_and_carbon_path_have_fixed_costs(
    client_for, sc_staff, data, django_assert_max_num_queries
):
    client = client_for(sc_staff)
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/fund-allocations/totals/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/standards/harmonization/").status_code == 200
    with django_assert_max_num_queries(5 + 3 * 5):
        assert client.get("/api/v1/carbon-coefficients/path/", {"start": 2021, "end": 2025}).status_code == 200
