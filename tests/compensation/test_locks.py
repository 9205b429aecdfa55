"""Locks hold (issue 14): once both parties confirm a settlement, nothing it used (the agreement's
sections, rule, parties and terms, its sections' targets, the period's samples) changes through
any path: the API, the admin, the CSV import, the services or a direct edit of the agreement's
sections. A changed agreement is a new version; the confirmed settlement keeps what it used."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from projects.compensation import services
from projects.compensation.models import CompensationAgreement, Settlement, WaterSample
from projects.compensation.settlement import calculate
from projects.core.errors import DomainError
from projects.core.models import ChangeRecord
from tests.compensation.admin_forms import admin_client, messages_of, post_form
from tests.compensation.factories import AgreementFactory, SectionFactory, add_sample, measurements

pytestmark = pytest.mark.django_db
AGREEMENTS = "/api/v1/compensation-agreements/"
SAMPLES = "/api/v1/water-quality-samples/"


@pytest.fixture
def locked(sc_staff, cq_staff, joint_office):
    """The issue's case: 2023 confirmed by both parties on a section with NH3-N 0.525 (class III)."""
    judged, quiet, spare = SectionFactory(), SectionFactory(), SectionFactory()
    agreement = AgreementFactory(sections=[judged, quiet])
    sample = add_sample(joint_office, judged, datetime.date(2023, 6, 1), nh3n="0.525")
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    for actor in (sc_staff, cq_staff):
        settlement = services.settlement_transition(actor=actor, instance=settlement, to="confirmed")
    assert settlement.status == "confirmed"
    return {
        "agreement": agreement,
        "judged": judged,
        "quiet": quiet,
        "spare": spare,
        "sample": sample,
        "settlement": settlement,
    }


def frozen(context) -> tuple:
    agreement = CompensationAgreement.objects.get(pk=context["agreement"].pk)
    settlement = Settlement.objects.get(pk=context["settlement"].pk)
    sample = WaterSample.objects.filter(pk=context["sample"].pk).first()
    return (
        agreement.version,
        sorted(s.code for s in agreement.sections.all()),
        agreement.rule_id,
        (agreement.rule.amount_met, agreement.rule.version),
        sorted((s.code, s.target_class, s.version) for s in agreement.sections.all()),
        settlement.version,
        settlement.input_digest,
        sample.version if sample else None,
        sorted(sample.measurements.values_list("parameter", "value")) if sample else None,
        WaterSample.objects.count(),
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda x: {"sections": [x["judged"].code, x["quiet"].code, x["spare"].code]},
        lambda x: {"sections": [x["quiet"].code]},
        lambda x: {"rule": AgreementFactory().rule.code},
        lambda x: {"upstream_province": "520000"},
        lambda x: {"evaluation_method": "monthly_mean"},
        lambda x: {"end_date": "2023-12-31"},
        lambda x: {"upstream_contribution": 1},
    ],
    ids=["sections added", "sections dropped", "rule", "parties", "method", "dates", "pools"],
)
def test_the_api_refuses_to_change_the_terms_a_confirmed_settlement_used(locked, client_for, joint_office, change):
    before, history = frozen(locked), ChangeRecord.objects.count()
    response = client_for(joint_office).patch(f"{AGREEMENTS}{locked['agreement'].pk}/", change(locked), format="json")
    assert response.status_code == 409, response.json()
    assert "revise" in response.json()["detail"] or "修订" in response.json()["detail"]
    assert frozen(locked) == before and ChangeRecord.objects.count() == history


def test_what_is_not_a_term_still_changes(locked, client_for, joint_office):
    response = client_for(joint_office).patch(
        f"{AGREEMENTS}{locked['agreement'].pk}/", {"name_zh": "改名"}, format="json"
    )
    assert response.status_code == 200
    rule = client_for(joint_office).patch(
        f"/api/v1/settlement-rules/{locked['agreement'].rule_id}/", {"source_note": "出处"}, format="json"
    )
    assert rule.status_code == 200


def test_the_admin_refuses_to_change_the_sections(locked, joint_office):
    before = frozen(locked)
    client = admin_client(joint_office)
    url = f"/admin/compensation/compensationagreement/{locked['agreement'].pk}/change/"
    response = post_form(client, url, sections=[str(locked["judged"].pk), str(locked["spare"].pk)])
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert frozen(locked) == before


def test_the_services_and_direct_edits_of_the_sections_are_refused(locked, joint_office):
    before = frozen(locked)
    agreement, spare, judged = locked["agreement"], locked["spare"], locked["judged"]
    with pytest.raises(DomainError):
        services.agreement_save(actor=joint_office, instance=agreement, data={"sections": [spare]})
    for edit in (
        lambda: agreement.sections.add(spare),
        lambda: agreement.sections.remove(judged),
        lambda: agreement.sections.clear(),
        lambda: agreement.sections.set([spare]),
        lambda: judged.agreements.remove(agreement),
        lambda: judged.agreements.clear(),
    ):
        with pytest.raises(DomainError), transaction.atomic():  # refused, and rolled back
            edit()
    assert frozen(locked) == before


def test_the_rule_and_the_sections_targets_are_frozen(locked, client_for, joint_office):
    before = frozen(locked)
    client = client_for(joint_office)
    rule = locked["agreement"].rule
    assert client.patch(f"/api/v1/settlement-rules/{rule.pk}/", {"amount_met": 1}, format="json").status_code == 409
    with pytest.raises(DomainError):
        services.rule_save(actor=joint_office, instance=rule, data={"amount_missed": 1})
    admin = post_form(
        admin_client(joint_office), f"/admin/compensation/settlementrule/{rule.pk}/change/", amount_met="1"
    )
    assert "errorlist" in admin.content.decode()
    section_url = f"/api/v1/monitoring-sections/{locked['judged'].pk}/"
    assert client.patch(section_url, {"target_class": 4}, format="json").status_code == 409
    quiet = f"/api/v1/monitoring-sections/{locked['quiet'].pk}/"
    assert client.delete(quiet).status_code == 409  # judged (no data) by the confirmed settlement
    assert frozen(locked) == before


def test_the_periods_samples_are_frozen_through_every_face(locked, client_for, joint_office, sc_staff):
    """The issue's walk-around: NH3-N 0.525 → 1.9 is refused, whatever the path."""
    before = frozen(locked)
    sample, judged = locked["sample"], locked["judged"]
    client = client_for(joint_office)
    url = f"{SAMPLES}{sample.pk}/"
    assert client.patch(url, {"measurements": measurements(nh3n="1.9")}, format="json").status_code == 409
    assert client.patch(url, {"sampled_on": "2022-06-01"}, format="json").status_code == 409
    assert client.delete(url).status_code == 409
    added = client.post(
        SAMPLES, {"section": judged.code, "sampled_on": "2023-07-01", "measurements": measurements()}, format="json"
    )
    assert added.status_code == 409
    moved_in = add_sample(joint_office, judged, datetime.date(2024, 1, 5))
    into = client.patch(f"{SAMPLES}{moved_in.pk}/", {"sampled_on": "2023-08-01"}, format="json")
    assert into.status_code == 409
    text = "section,sampled_on,parameter,value,unit\n" + "".join(
        f"{judged.code},2023-09-01,{m['parameter']},{m['value']},{m['unit']}\n" for m in measurements()
    )
    upload = client_for(sc_staff).post(
        f"{SAMPLES}upload/", {"file": SimpleUploadedFile("s.csv", text.encode())}, format="multipart"
    )
    assert upload.status_code == 400 and upload.json()["errors"]["file"][0]["line"] == 2
    with pytest.raises(DomainError):
        services.sample_save(actor=joint_office, instance=sample, data={"measurements": measurements(nh3n="1.9")})
    admin = admin_client(joint_office)
    change = post_form(admin, f"/admin/compensation/watersample/{sample.pk}/change/", **{"measurements-4-value": "1.9"})
    assert "errorlist" in change.content.decode()
    delete = admin.post(f"/admin/compensation/watersample/{sample.pk}/delete/", {"post": "yes"}, follow=True)
    assert messages_of(delete, "error")
    WaterSample.objects.filter(pk=moved_in.pk).delete()
    assert frozen(locked) == before


def test_a_changed_agreement_is_a_new_version_and_the_settlement_keeps_what_it_used(locked, client_for, joint_office):
    old, settlement = locked["agreement"], locked["settlement"]
    client = client_for(joint_office)
    response = client.post(
        f"{AGREEMENTS}{old.pk}/revise/", {"sections": [locked["judged"].code, locked["spare"].code]}, format="json"
    )
    assert response.status_code == 201, response.json()
    new = response.json()
    assert (new["code"], new["status"], new["supersedes"]["code"]) == (f"{old.code}-v2", "draft", old.code)
    assert sorted(s["code"] for s in new["sections"]) == sorted([locked["judged"].code, locked["spare"].code])
    assert new["rule"]["id"] == str(old.rule_id) and new["upstream_province"]["code"] == "510000"
    assert client.post(f"{AGREEMENTS}{old.pk}/revise/", {}, format="json").status_code == 400  # one newer version

    moved = client.post(f"{AGREEMENTS}{new['id']}/transition/", {"to": "in_force"}, format="json")
    assert moved.status_code == 200
    old.refresh_from_db()
    assert old.status == "superseded"
    assert sorted(s.code for s in old.sections.all()) == sorted([locked["judged"].code, locked["quiet"].code])
    settlement.refresh_from_db()
    assert (settlement.agreement_id, settlement.status) == (old.pk, "confirmed")
    assert settlement.inputs["agreement"]["code"] == old.code
    replay = calculate(settlement.inputs)
    assert (replay["payer"], replay["amount"], replay["steps"]) == (
        settlement.payer,
        settlement.amount,
        settlement.steps,
    )
    again = client.post("/api/v1/settlements/", {"agreement": new["id"], "period": "2023"}, format="json")
    assert again.status_code == 400 and "period" in again.json()["errors"]
    assert (
        client.post("/api/v1/settlements/", {"agreement": new["id"], "period": "2024"}, format="json").status_code
        == 202
    )
    # The confirmed period's samples stay frozen under the new version too.
    patch = client.patch(f"{SAMPLES}{locked['sample'].pk}/", {"note": "x"}, format="json")
    assert patch.status_code == 409


def test_a_superseded_version_opens_and_confirms_nothing_more(locked, sc_staff, joint_office):
    old = locked["agreement"]
    pending = services.settlement_save(actor=joint_office, data={"agreement": old, "period": "2022"})
    pending = services.settlement_compute(instance=pending)
    new = services.agreement_revise(actor=joint_office, instance=old, data={})
    services.agreement_transition(actor=joint_office, instance=new, to="in_force")
    with pytest.raises(DomainError):
        services.settlement_save(actor=joint_office, data={"agreement": old, "period": "2024"})
    with pytest.raises(DomainError):
        services.settlement_transition(actor=sc_staff, instance=pending, to="confirmed")
    assert services.settlements_schedule_due(today=datetime.date(2024, 2, 1)) == [f"{new.code} 2022"]


def test_figures_computed_before_the_data_changed_cannot_be_confirmed(sc_staff, joint_office):
    agreement = AgreementFactory()
    section = agreement.sections.get()
    sample = add_sample(joint_office, section, datetime.date(2023, 6, 1))
    settlement = services.settlement_compute(
        instance=services.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    services.sample_save(actor=joint_office, instance=sample, data={"measurements": measurements(tp="0.3")})
    with pytest.raises(DomainError):
        services.settlement_transition(actor=sc_staff, instance=settlement, to="confirmed")
    settlement = services.settlement_transition(actor=joint_office, instance=settlement, to="computed")
    confirmed = services.settlement_transition(actor=sc_staff, instance=settlement, to="confirmed")
    assert confirmed.upstream_confirmed_at is not None and confirmed.payer == "upstream"


def test_the_admin_makes_a_new_version_as_a_draft(locked, joint_office):
    client = admin_client(joint_office)
    response = client.post(
        "/admin/compensation/compensationagreement/",
        {"action": "revise", "_selected_action": [str(locked["agreement"].pk)]},
        follow=True,
    )
    assert not messages_of(response, "error")
    new = CompensationAgreement.objects.get(supersedes=locked["agreement"])
    assert (new.status, sorted(s.code for s in new.sections.all())) == (
        "draft",
        sorted([locked["judged"].code, locked["quiet"].code]),
    )
    record = ChangeRecord.objects.filter(object_id=str(new.pk)).get()
    assert record.event == "compensation.compensationagreement.revised"
