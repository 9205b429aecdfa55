"""Ecological products and the trading ledger: never sold beyond what remains."""

from decimal import Decimal

import pytest

from projects.compensation.models import Trade
from tests.compensation.factories import ProductFactory, org

pytestmark = pytest.mark.django_db
URL = "/api/v1/trades/"


def sell(client, product, quantity, buyer="cq-forestry", price="60"):
    return client.post(
        URL,
        {
            "product": str(product.pk),
            "buyer": str(org(buyer).pk),
            "quantity": quantity,
            "unit_price": price,
            "traded_on": "2024-05-20",
        },
        format="json",
    )


def test_a_trade_records_seller_amount_and_lowers_what_remains(client_for, sc_staff):
    product = ProductFactory(quantity=Decimal("100"))
    response = sell(client_for(sc_staff), product, "40", price="55.5")
    assert response.status_code == 201, response.json()
    assert response.json()["seller"]["slug"] == "sc-natural-resources"
    assert response.json()["amount"] == 2220
    item = client_for(sc_staff).get(f"/api/v1/ecological-products/{product.pk}/").json()
    assert (item["sold"], item["remaining"]) == ("40.000", "60.000")


def test_selling_beyond_what_remains_is_a_409_naming_the_remainder(client_for, sc_staff):
    product = ProductFactory(quantity=Decimal("100"))
    assert sell(client_for(sc_staff), product, "70").status_code == 201
    refused = sell(client_for(sc_staff), product, "31")
    assert refused.status_code == 409
    assert refused.json()["remaining"] == "30.000"
    assert Trade.objects.count() == 1


def test_a_cancelled_trade_frees_its_quantity_and_cannot_be_settled(client_for, sc_staff, cq_staff):
    product = ProductFactory(quantity=Decimal("100"))
    trade = sell(client_for(sc_staff), product, "100").json()
    # The buyer's side may settle or cancel too.
    cancelled = client_for(cq_staff).post(f"{URL}{trade['id']}/transition/", {"to": "cancelled"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    refused = client_for(cq_staff).post(f"{URL}{trade['id']}/transition/", {"to": "settled"}, format="json")
    assert refused.status_code == 409 and refused.json()["allowed"] == []
    assert sell(client_for(sc_staff), product, "100").status_code == 201


def test_the_ledger_is_not_edited_or_deleted(client_for, joint_office, sc_staff):
    trade = sell(client_for(sc_staff), ProductFactory(), "1").json()
    assert client_for(joint_office).patch(f"{URL}{trade['id']}/", {"quantity": "2"}, format="json").status_code == 405
    assert client_for(joint_office).delete(f"{URL}{trade['id']}/").status_code == 405


def test_chongqing_staff_cannot_sell_a_sichuan_product(client_for, cq_staff):
    assert sell(client_for(cq_staff), ProductFactory(), "1", buyer="sc-forestry-grassland").status_code == 403


def test_buyer_cannot_be_the_seller(client_for, sc_staff):
    response = sell(client_for(sc_staff), ProductFactory(), "1", buyer="sc-natural-resources")
    assert response.status_code == 400 and "buyer" in response.json()["errors"]


def test_a_product_quantity_cannot_drop_below_what_is_sold(client_for, sc_staff):
    product = ProductFactory(quantity=Decimal("100"))
    sell(client_for(sc_staff), product, "80")
    response = client_for(sc_staff).patch(
        f"/api/v1/ecological-products/{product.pk}/", {"quantity": "50"}, format="json"
    )
    assert response.status_code == 400 and "quantity" in response.json()["errors"]


def test_a_listing_caps_the_trades_made_on_it(client_for, sc_staff):
    product = ProductFactory(quantity=Decimal("100"))
    listing = (
        client_for(sc_staff)
        .post(
            "/api/v1/product-listings/",
            {"product": str(product.pk), "quantity": "10", "asking_price": "60", "listed_on": "2024-05-01"},
            format="json",
        )
        .json()
    )
    body = {
        "product": str(product.pk),
        "listing": listing["id"],
        "buyer": str(org("cq-forestry").pk),
        "quantity": "11",
        "unit_price": "60",
        "traded_on": "2024-05-20",
    }
    assert client_for(sc_staff).post(URL, body, format="json").status_code == 409
    assert client_for(sc_staff).post(URL, {**body, "quantity": "10"}, format="json").status_code == 201
