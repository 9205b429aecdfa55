"""The compensation endpoints on the one API convention: references by id, code or slug read as brief
objects, bodies that can be written back, versions that refuse stale writes, input that is a 400."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from projects.compensation import services
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
    FundContribution,
    Settlement,
    Standard,
    Trade,
    WaterSample,
)
from projects.core.models import ChangeRecord
from projects.restoration.models import EcosystemElement
from tests.compensation.factories import (
    AgreementFactory,
    ProductFactory,
    SectionFactory,
    StandardFactory,
    add_sample,
    measurements,
    org,
)

pytestmark = pytest.mark.django_db
FUND = "yangtze-belt-compensation-fund"


def test_an_organization_is_written_as_its_slug_in_trades_and_fund_contributions(client_for, sc_staff):
    client = client_for(sc_staff)
    product = ProductFactory()
    trade = client.post(
        "/api/v1/trades/",
        {
            "product": str(product.pk),
            "buyer": "cq-forestry",
            "quantity": "1",
            "unit_price": "60",
            "traded_on": "2024-05-20",
        },
        format="json",
    )
    assert trade.status_code == 201, trade.json()
    assert trade.json()["buyer"]["slug"] == "cq-forestry"
    assert trade.json()["buyer"]["province"] == "500000"
    contribution = client.post(
        "/api/v1/fund-contributions/",
        {"fund": FUND, "contributor": "sc-natural-resources", "received_on": "2023-01-10", "amount": 100},
        format="json",
    )
    assert contribution.status_code == 201, contribution.json()
    assert contribution.json()["contributor"]["slug"] == "sc-natural-resources"
    assert contribution.json()["fund"]["code"] == FUND
    # … and still as its id, or as the brief object read from the API.
    brief = contribution.json()["contributor"]
    again = client.post(
        "/api/v1/fund-contributions/",
        {"fund": {"code": FUND}, "contributor": brief, "received_on": "2023-01-11", "amount": 100},
        format="json",
    )
    assert again.status_code == 201, again.json()
    assert FundContribution.objects.count() == 2


def test_an_ecosystem_element_is_written_as_its_code_or_id_in_standards_and_carbon_coefficients(
    client_for, joint_office
):
    client = client_for(joint_office)
    forest = EcosystemElement.objects.get(code="forest")
    standard = client.post(
        "/api/v1/standards/",
        {"code": "DB51/T 1-2024", "title_zh": "测试", "issuer": "sichuan", "elements": ["forest", str(forest.pk)]},
        format="json",
    )
    assert standard.status_code == 201, standard.json()
    assert [e["code"] for e in standard.json()["elements"]] == ["forest"]
    coefficient = CarbonCoefficient.objects.get(element=forest)
    body = client.patch(
        f"/api/v1/carbon-coefficients/{coefficient.pk}/", {"element": str(forest.pk)}, format="json"
    ).json()
    assert body["element"] == {"id": str(forest.pk), "code": "forest", "name_zh": "林", "name_en": forest.name_en}


def test_sections_agreements_rules_funds_products_and_listings_are_references_too(client_for, joint_office, sc_staff):
    section = SectionFactory(code="qiong-border")
    agreement = AgreementFactory(code="qiong-2023", sections=[section])
    client = client_for(joint_office)
    sample = client.post(
        "/api/v1/water-quality-samples/",
        {"section": "qiong-border", "sampled_on": "2023-03-01", "measurements": measurements()},
        format="json",
    )
    assert sample.status_code == 201, sample.json()
    assert sample.json()["section"]["code"] == "qiong-border"
    settlement = client.post("/api/v1/settlements/", {"agreement": "qiong-2023", "period": "2023"}, format="json")
    assert settlement.status_code == 202, settlement.json()
    assert settlement.json()["agreement"]["code"] == "qiong-2023"
    rule = client.patch(
        f"/api/v1/compensation-agreements/{agreement.pk}/", {"rule": agreement.rule.code}, format="json"
    )
    assert rule.status_code == 200 and rule.json()["rule"]["code"] == agreement.rule.code
    product = ProductFactory()
    listing = client_for(sc_staff).post(
        "/api/v1/product-listings/",
        {"product": {"id": str(product.pk)}, "quantity": "5", "asking_price": "60", "listed_on": "2024-05-01"},
        format="json",
    )
    assert listing.status_code == 201, listing.json()
    trade = client_for(sc_staff).post(
        "/api/v1/trades/",
        {
            "product": str(product.pk),
            "listing": listing.json()["id"],
            "buyer": "cq-forestry",
            "quantity": "2",
            "unit_price": "60",
            "traded_on": "2024-05-20",
        },
        format="json",
    )
    assert trade.status_code == 201, trade.json()
    assert trade.json()["listing"]["id"] == listing.json()["id"]
    assert trade.json()["product"]["id"] == str(product.pk)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/water-quality-samples/", {"section": "a\x00b", "sampled_on": "2023-03-01"}, "section"),
        ("/api/v1/water-quality-samples/", {"section": "x" * 5000, "sampled_on": "2023-03-01"}, "section"),
        ("/api/v1/fund-contributions/", {"fund": "x\x00", "contributor": "sc-natural-resources"}, "fund"),
        ("/api/v1/fund-contributions/", {"fund": FUND, "contributor": "y" * 300}, "contributor"),
        ("/api/v1/trades/", {"product": "\x00", "buyer": "cq-forestry"}, "product"),
        ("/api/v1/compensation-agreements/", {"rule": "r" * 1000, "sections": ["\x00"]}, "sections"),
        ("/api/v1/compensation-agreements/", {"rule": "r" * 1000, "sections": ["s"]}, "rule"),
        ("/api/v1/standards/", {"code": "X", "title_zh": "x", "issuer": "joint", "elements": ["\x00"]}, "elements"),
    ],
)
def test_a_nul_byte_or_an_over_long_reference_is_a_400(client_for, joint_office, url, body, field):
    response = client_for(joint_office).post(url, {**body, "measurements": measurements()}, format="json")
    assert response.status_code == 400, response.content[:500]
    assert field in response.json()["errors"]


@pytest.mark.parametrize("fund", ["\x00", "a\x00b", "f" * 300, "no-such-fund"])
def test_the_fund_of_the_totals_is_a_reference_and_a_bad_one_is_a_400(client_for, sc_staff, fund):
    response = client_for(sc_staff).get("/api/v1/fund-allocations/totals/", {"fund": fund})
    assert response.status_code == 400
    assert "fund" in response.json()["errors"]
    assert client_for(sc_staff).get("/api/v1/fund-allocations/totals/", {"fund": FUND}).status_code == 200


def test_is_demo_is_never_writable_through_the_api(client_for, joint_office, sc_staff):
    agreement = AgreementFactory()
    client = client_for(joint_office)
    body = client.patch(f"/api/v1/compensation-agreements/{agreement.pk}/", {"is_demo": True}, format="json").json()
    assert body["is_demo"] is False
    standard = client.post(
        "/api/v1/standards/", {"code": "S-1", "title_zh": "x", "issuer": "joint", "is_demo": True}, format="json"
    ).json()
    assert standard["is_demo"] is False
    product = client_for(sc_staff).post(
        "/api/v1/ecological-products/",
        {
            "name": "碳汇",
            "product_type": "carbon-sink",
            "project": str(ProductFactory().project_id),
            "quantity": "10",
            "unit": "t",
            "vintage": 2023,
            "owner": "sc-natural-resources",
            "is_demo": True,
        },
        format="json",
    )
    assert product.status_code == 201, product.json()
    assert product.json()["is_demo"] is False
    assert not CompensationAgreement.objects.filter(is_demo=True).exists()
    assert not Standard.objects.filter(is_demo=True).exists()


@pytest.mark.parametrize("resource", ["agreement", "section", "standard", "sample", "product", "listing"])
def test_a_read_body_can_be_written_back_as_it_is(client_for, joint_office, resource):
    client = client_for(joint_office)
    if resource == "agreement":
        url = f"/api/v1/compensation-agreements/{AgreementFactory().pk}/"
    elif resource == "section":
        url = f"/api/v1/monitoring-sections/{SectionFactory().pk}/"
    elif resource == "standard":
        standard = StandardFactory()
        standard.elements.set(EcosystemElement.objects.filter(code__in=["forest", "water"]))
        url = f"/api/v1/standards/{standard.pk}/"
    elif resource == "sample":
        sample = add_sample(joint_office, SectionFactory(), datetime.date(2023, 1, 1))
        url = f"/api/v1/water-quality-samples/{sample.pk}/"
    elif resource == "product":
        url = f"/api/v1/ecological-products/{ProductFactory().pk}/"
    else:
        listing = services.listing_save(
            actor=joint_office,
            data={
                "product": ProductFactory(),
                "quantity": Decimal("5"),
                "asking_price": Decimal("60"),
                "listed_on": datetime.date(2024, 1, 1),
            },
        )
        url = f"/api/v1/product-listings/{listing.pk}/"
    body = client.get(url).json()
    history = ChangeRecord.objects.count()
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == body["version"]  # nothing changed, nothing saved
    assert ChangeRecord.objects.count() == history


def test_a_stale_if_match_or_body_version_is_a_412_and_changes_nothing(client_for, joint_office):
    agreement = AgreementFactory(river="琼江")
    url = f"/api/v1/compensation-agreements/{agreement.pk}/"
    client = client_for(joint_office)
    read = client.get(url)
    tag = read["ETag"]
    assert client.patch(url, {"name_zh": "甲"}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    history = ChangeRecord.objects.count()
    stale = client.patch(url, {"river": "涪江"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    in_body = client.patch(url, {"river": "涪江", "version": 1}, format="json")
    assert in_body.status_code == 412
    moved = client.post(f"{url}transition/", {"to": "expired"}, format="json", HTTP_IF_MATCH=tag)
    assert moved.status_code == 412
    agreement.refresh_from_db()
    assert (agreement.river, agreement.status, agreement.version) == ("琼江", "in_force", 2)
    assert ChangeRecord.objects.count() == history


def test_a_stale_version_on_a_sample_and_a_settlement_is_a_412(client_for, joint_office):
    agreement = AgreementFactory()
    sample = add_sample(joint_office, agreement.sections.get(), datetime.date(2023, 1, 1))
    client = client_for(joint_office)
    url = f"/api/v1/water-quality-samples/{sample.pk}/"
    assert client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH='"7"').status_code == 412
    settlement = services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    response = client.post(
        f"/api/v1/settlements/{settlement.pk}/transition/", {"to": "computed"}, format="json", HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 412
    assert WaterSample.objects.get().note == "" and Settlement.objects.get().status == "pending"


def test_a_partial_change_of_a_sample_keeps_its_measurements(client_for, sc_staff):
    sample = add_sample(sc_staff, SectionFactory(), datetime.date(2023, 1, 1), tp="0.25")
    client = client_for(sc_staff)
    body = client.patch(f"/api/v1/water-quality-samples/{sample.pk}/", {"note": "复核"}, format="json").json()
    assert body["note"] == "复核"
    assert len(body["measurements"]) == 7 and body["water_class"] == 4
    # Measurements sent replace the list; the class follows.
    body = client.patch(
        f"/api/v1/water-quality-samples/{sample.pk}/", {"measurements": measurements(tp="0.1")}, format="json"
    ).json()
    assert body["water_class"] == 2
    record = ChangeRecord.objects.filter(object_id=str(sample.pk)).first()
    assert record.changed_fields == ["limiting_parameters", "measurements", "water_class"]
    assert record.before["measurements"]["tp"]["value"] == "0.25"
    assert record.after["measurements"]["tp"]["value"] == "0.1"


def test_a_sample_can_be_moved_only_where_its_section_allows(client_for, sc_staff):
    sample = add_sample(sc_staff, SectionFactory(responsible=["sc-ecology-environment"]), datetime.date(2023, 1, 1))
    chongqing_only = SectionFactory(responsible=["cq-ecology-environment"])
    response = client_for(sc_staff).patch(
        f"/api/v1/water-quality-samples/{sample.pk}/", {"section": chongqing_only.code}, format="json"
    )
    assert response.status_code == 403
    assert WaterSample.objects.get().section_id == sample.section_id


def test_csv_imports_and_scheduled_settlements_carry_event_codes_read_in_the_readers_language(
    client_for, sc_staff, joint_office
):
    section = SectionFactory()
    text = "section,sampled_on,parameter,value,unit\n" + "".join(
        f"{section.code},2023-01-10,{m['parameter']},{m['value']},{m['unit']}\n" for m in measurements()
    )
    file = SimpleUploadedFile("samples.csv", text.encode(), content_type="text/csv")
    upload = client_for(sc_staff).post("/api/v1/water-quality-samples/upload/", {"file": file}, format="multipart")
    assert upload.status_code == 201, upload.json()
    AgreementFactory(start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31))
    services.settlements_schedule_due(today=datetime.date(2024, 2, 1))
    imported = ChangeRecord.objects.get(event="compensation.watersample.imported")
    scheduled = ChangeRecord.objects.get(event="compensation.settlement.scheduled")
    assert imported.message == scheduled.message == ""
    assert scheduled.actor is None
    # The labels are gettext_lazy, read in the reader's language (catalogues are added later).
    with translation.override("en"):
        assert imported.summary == "Imported from a CSV file"
        assert scheduled.summary == "Opened by the daily schedule"
    history = client_for(sc_staff).get(f"/api/v1/water-quality-samples/{imported.object_id}/history/").json()
    assert history["results"][0]["event"] == "compensation.watersample.imported"


def test_the_ledger_takes_posts_and_transitions_only(client_for, sc_staff, joint_office):
    product = ProductFactory()
    trade = services.trade_save(
        actor=sc_staff,
        data={
            "product": product,
            "buyer": org("cq-forestry"),
            "quantity": Decimal("1"),
            "unit_price": Decimal("1"),
            "traded_on": datetime.date(2024, 1, 1),
        },
    )
    client = client_for(joint_office)
    url = f"/api/v1/trades/{trade.pk}/"
    assert client.put(url, client.get(url).json(), format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post(f"{url}transition/", {"to": "settled"}, format="json").json()["status"] == "settled"
    assert Trade.objects.get().status == "settled"
