"""Parity: a rule refused through the API is refused through the admin, and neither writes anything.

Each row names a rule, sets up the records it protects, and tries to break it once through the
API and once through the admin, as a person would (forms posted back, actions confirmed). Both
must refuse (the admin with a message or a form error, never a server error), leave every
watched record as it was and write no history.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects.compensation import services
from projects.compensation.models import (
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    ProductListing,
    Settlement,
    Standard,
    Trade,
    WaterSample,
)
from projects.core.models import ChangeRecord, Corridor, Province
from tests.compensation.admin_forms import admin_client, form_data, messages_of, post_form
from tests.compensation.factories import (
    AgreementFactory,
    ProductFactory,
    StandardFactory,
    add_sample,
    fund,
    measurements,
    org,
)

pytestmark = pytest.mark.django_db
ADMIN = "/admin/compensation"


def _change(model, obj) -> str:
    return f"{ADMIN}/{model}/{obj.pk}/change/"


def _action(client, model, objects, action, **extra):
    body = {"action": action, "_selected_action": [str(o.pk) for o in objects], **extra}
    return client.post(f"{ADMIN}/{model}/", body, follow=True)


def _confirm_action(client, model, objects, action, **extra):
    return _action(client, model, objects, action, apply="1", comment="", **extra)


# --- the records each rule protects ----------------------------------------------------------------


def _listing(p, status):
    product = ProductFactory(quantity=Decimal("100"))
    listing = services.listing_save(
        actor=p["sc_staff"],
        data={
            "product": product,
            "quantity": Decimal("10"),
            "asking_price": Decimal("60"),
            "listed_on": datetime.date(2024, 5, 1),
        },
    )
    if status != "open":
        listing = services.listing_transition(actor=p["sc_staff"], instance=listing, to=status)
    return {"actor": p["sc_staff"], "listing": listing, "watch": [listing]}


def _locked_samples(p):
    agreement = AgreementFactory()
    section = agreement.sections.get()
    unlocked = add_sample(p["joint_office"], section, datetime.date(2022, 6, 1))
    locked = add_sample(p["joint_office"], section, datetime.date(2023, 6, 1))
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=p["joint_office"], data={"agreement": agreement, "period": "2023"})
    )
    for persona in ("sc_staff", "cq_staff"):
        settlement = services.settlement_transition(actor=p[persona], instance=settlement, to="confirmed")
    assert settlement.status == "confirmed"
    return {
        "actor": p["joint_office"],
        "locked": locked,
        "unlocked": unlocked,
        "settlement": settlement,
        "watch": [locked, unlocked, settlement],
    }


def _sold(p, quantity="80"):
    product = ProductFactory(quantity=Decimal("100"))
    trade = services.trade_save(
        actor=p["sc_staff"],
        data={
            "product": product,
            "buyer": org("cq-forestry"),
            "quantity": Decimal(quantity),
            "unit_price": Decimal("60"),
            "traded_on": datetime.date(2024, 5, 20),
        },
    )
    return {"actor": p["sc_staff"], "product": product, "trade": trade, "watch": [product, trade]}


def _funded(p):
    contribution = services.fund_contribution_save(
        actor=p["joint_office"],
        data={
            "fund": fund(),
            "contributor": org("sc-natural-resources"),
            "received_on": datetime.date(2023, 1, 10),
            "amount": 1000,
        },
    )
    return {"actor": p["joint_office"], "contribution": contribution, "watch": [contribution]}


def _spent(p):
    context = _funded(p)
    allocation = services.fund_allocation_save(
        actor=p["joint_office"],
        data={
            "fund": fund(),
            "allocated_on": datetime.date(2023, 2, 1),
            "amount": 900,
            "province": Province.objects.get(code="510000"),
            "corridor": Corridor.objects.get(slug="jialing"),
        },
    )
    return {**context, "watch": [context["contribution"], allocation]}


def _computed(p, persona):
    agreement = AgreementFactory()
    add_sample(p["joint_office"], agreement.sections.get(), datetime.date(2023, 6, 1))
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=p["joint_office"], data={"agreement": agreement, "period": "2023"})
    )
    return {"actor": p[persona], "settlement": settlement, "watch": [settlement]}


def _standard(p, persona, issuer="joint"):
    standard = StandardFactory(issuer=issuer)
    return {"actor": p[persona], "standard": standard, "watch": [standard]}


# --- the table ------------------------------------------------------------------------------------


@dataclass
class Rule:
    name: str
    setup: object  # personas -> context
    api: object  # (client, context) -> response
    admin: object  # (client, context) -> response
    api_status: int

    def __str__(self):
        return self.name


def _trade_body(product, quantity, buyer="cq-forestry"):
    return {
        "product": str(product.pk),
        "buyer": buyer,
        "quantity": quantity,
        "unit_price": "60",
        "traded_on": "2024-05-21",
    }


def _admin_trade(client, product, quantity, buyer="cq-forestry"):
    url = f"{ADMIN}/trade/add/"
    return post_form(
        client,
        url,
        product=str(product.pk),
        buyer=str(org(buyer).pk),
        quantity=quantity,
        unit_price="60",
        traded_on="2024-05-21",
    )


RULES = [
    Rule(
        "a closed listing is changed",
        lambda p: _listing(p, "closed"),
        lambda c, x: c.patch(f"/api/v1/product-listings/{x['listing'].pk}/", {"note": "改"}, format="json"),
        lambda c, x: post_form(c, _change("productlisting", x["listing"]), note="改"),
        409,
    ),
    Rule(
        "a withdrawn listing is reopened",
        lambda p: _listing(p, "withdrawn"),
        lambda c, x: c.post(f"/api/v1/product-listings/{x['listing'].pk}/transition/", {"to": "open"}, format="json"),
        lambda c, x: post_form(c, _change("productlisting", x["listing"]), status="open", note="重新挂牌"),
        409,
    ),
    Rule(
        "a sample a confirmed settlement used is deleted",
        _locked_samples,
        lambda c, x: c.delete(f"/api/v1/water-quality-samples/{x['locked'].pk}/"),
        lambda c, x: c.post(f"{ADMIN}/watersample/{x['locked'].pk}/delete/", {"post": "yes"}, follow=True),
        409,
    ),
    Rule(
        "a locked and an unlocked sample are deleted together",
        _locked_samples,
        lambda c, x: c.delete(f"/api/v1/water-quality-samples/{x['locked'].pk}/"),
        lambda c, x: _action(c, "watersample", [x["unlocked"], x["locked"]], "delete_selected", post="yes"),
        409,
    ),
    Rule(
        "a sample a confirmed settlement used is changed",
        _locked_samples,
        lambda c, x: c.patch(
            f"/api/v1/water-quality-samples/{x['locked'].pk}/", {"measurements": measurements(tp="0.3")}, format="json"
        ),
        lambda c, x: post_form(c, _change("watersample", x["locked"]), **{"measurements-6-value": "0.3"}),
        409,
    ),
    Rule(
        "the fund is overdrawn",
        _funded,
        lambda c, x: c.post(
            "/api/v1/fund-allocations/",
            {
                "fund": "yangtze-belt-compensation-fund",
                "allocated_on": "2023-02-01",
                "amount": 5000,
                "province": "510000",
                "corridor": "jialing",
            },
            format="json",
        ),
        lambda c, x: post_form(
            c,
            f"{ADMIN}/fundallocation/add/",
            fund=str(fund().pk),
            allocated_on="2023-02-01",
            amount="5000",
            province=str(Province.objects.get(code="510000").pk),
            corridor=str(Corridor.objects.get(slug="jialing").pk),
        ),
        409,
    ),
    Rule(
        "a contribution that paid for allocations is removed",
        _spent,
        lambda c, x: c.delete(f"/api/v1/fund-contributions/{x['contribution'].pk}/"),
        lambda c, x: c.post(f"{ADMIN}/fundcontribution/{x['contribution'].pk}/delete/", {"post": "yes"}, follow=True),
        409,
    ),
    Rule(
        "a product's quantity drops below what is sold",
        _sold,
        lambda c, x: c.patch(f"/api/v1/ecological-products/{x['product'].pk}/", {"quantity": "50"}, format="json"),
        lambda c, x: post_form(c, _change("ecologicalproduct", x["product"]), quantity="50"),
        400,
    ),
    Rule(
        "a trade goes beyond what remains",
        lambda p: _sold(p, "70"),
        lambda c, x: c.post("/api/v1/trades/", _trade_body(x["product"], "31"), format="json"),
        lambda c, x: _admin_trade(c, x["product"], "31"),
        409,
    ),
    Rule(
        "the buyer is the seller",
        lambda p: _sold(p, "1"),
        lambda c, x: c.post("/api/v1/trades/", _trade_body(x["product"], "1", "sc-natural-resources"), format="json"),
        lambda c, x: _admin_trade(c, x["product"], "1", "sc-natural-resources"),
        400,
    ),
    Rule(
        "a trade in the ledger is edited",
        lambda p: _sold(p, "1"),
        lambda c, x: c.patch(f"/api/v1/trades/{x['trade'].pk}/", {"quantity": "2"}, format="json"),
        lambda c, x: c.post(_change("trade", x["trade"]), {"quantity": "2"}),
        405,
    ),
    Rule(
        "a settlement is confirmed by someone not a party",
        lambda p: _computed(p, "gz_staff"),
        lambda c, x: c.post(f"/api/v1/settlements/{x['settlement'].pk}/transition/", {"to": "confirmed"}),
        lambda c, x: _confirm_action(c, "settlement", [x["settlement"]], "confirm", side=""),
        403,
    ),
    Rule(
        "a confirmed settlement is recomputed",
        _locked_samples,
        lambda c, x: c.post(f"/api/v1/settlements/{x['settlement'].pk}/transition/", {"to": "computed"}),
        lambda c, x: _confirm_action(c, "settlement", [x["settlement"]], "recompute"),
        409,
    ),
    Rule(
        "a confirmed settlement is deleted",
        _locked_samples,
        lambda c, x: c.delete(f"/api/v1/settlements/{x['settlement'].pk}/"),
        lambda c, x: c.post(f"{ADMIN}/settlement/{x['settlement'].pk}/delete/", {"post": "yes"}, follow=True),
        403,
    ),
    Rule(
        "a standard is published without its effective date",
        lambda p: _standard(p, "joint_office"),
        lambda c, x: c.post(f"/api/v1/standards/{x['standard'].pk}/transition/", {"to": "published"}),
        lambda c, x: _confirm_action(c, "standard", [x["standard"]], "publish"),
        400,
    ),
    Rule(
        "Chongqing staff change a Sichuan standard",
        lambda p: _standard(p, "cq_staff", issuer="sichuan"),
        lambda c, x: c.patch(f"/api/v1/standards/{x['standard'].pk}/", {"title_zh": "改"}, format="json"),
        lambda c, x: c.post(_change("standard", x["standard"]), {"title_zh": "改"}),
        403,
    ),
]
WATCHED = [
    WaterSample,
    Settlement,
    FundAllocation,
    FundContribution,
    EcologicalProduct,
    ProductListing,
    Trade,
    Standard,
]


def _state(context) -> tuple:
    rows = [type(obj).objects.filter(pk=obj.pk).values().first() for obj in context["watch"]]
    counts = [model.objects.count() for model in WATCHED]
    return rows, counts, ChangeRecord.objects.count()


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_the_api_refuses(rule, personas, client_for):
    context = rule.setup(personas)
    before = _state(context)
    response = rule.api(client_for(context["actor"]), context)
    assert response.status_code == rule.api_status, response.content[:500]
    assert _state(context) == before


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_the_admin_refuses(rule, personas):
    context = rule.setup(personas)
    before = _state(context)
    response = rule.admin(admin_client(context["actor"]), context)
    assert response.status_code in (200, 403), response.status_code
    if response.status_code == 200:  # the form again with its errors, or the list with the refusal
        page = response.content.decode()
        assert "errorlist" in page or messages_of(response, "error"), page[:3000]
    assert _state(context) == before


def test_the_admin_says_why_a_locked_sample_stays(personas):
    context = _locked_samples(personas)
    client = admin_client(context["actor"])
    single = client.post(f"{ADMIN}/watersample/{context['locked'].pk}/delete/", {"post": "yes"}, follow=True)
    assert single.status_code == 200
    assert any("2023" in text for text in messages_of(single, "error"))
    bulk = _action(client, "watersample", [context["unlocked"], context["locked"]], "delete_selected", post="yes")
    texts = messages_of(bulk, "error")
    assert any(str(context["locked"]) in text for text in texts)
    assert WaterSample.objects.count() == 2


def test_the_admin_keeps_what_was_typed_when_it_refuses(personas):
    context = _sold(personas)
    client = admin_client(context["actor"])
    page = client.get(_change("ecologicalproduct", context["product"]))
    response = client.post(_change("ecologicalproduct", context["product"]), form_data(page, quantity="50"))
    assert response.status_code == 200
    assert response.context["adminform"].form["quantity"].value() == "50"


def test_the_admin_writes_through_the_same_services(personas):
    """What the rules allow, the admin saves like the API: with history and a new version."""
    context = _listing(personas, "open")
    client = admin_client(context["actor"])
    response = post_form(client, _change("productlisting", context["listing"]), note="降价")
    assert response.redirect_chain and not messages_of(response, "error"), response.content.decode()[:2000]
    listing = ProductListing.objects.get()
    assert (listing.note, listing.version) == ("降价", context["listing"].version + 1)
    assert ChangeRecord.objects.filter(object_id=str(listing.pk)).first().changed_fields == ["note"]
    withdrawn = _confirm_action(client, "productlisting", [listing], "withdraw")
    assert withdrawn.status_code == 200
    assert ProductListing.objects.get().status == "withdrawn"
