"""The settlement the parties confirm in the admin reads in words: names, amount, steps, inputs."""

import datetime

import pytest
from django.test import Client

from projects.compensation import services
from projects.compensation.settlement import describe_step
from tests.compensation.factories import AgreementFactory, add_sample

pytestmark = pytest.mark.django_db


def _computed(actor):
    agreement = AgreementFactory()
    section = agreement.sections.get()
    for month in range(1, 13):
        add_sample(actor, section, datetime.date(2023, month, 15), tp="0.12")
    settlement = services.settlement_save(actor=actor, data={"agreement": agreement, "period": "2023"})
    return services.settlement_compute(instance=settlement), section


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_settlement_page_shows_who_pays_whom_the_amount_the_steps_and_the_inputs(sc_staff, joint_office):
    settlement, section = _computed(joint_office)
    page = _admin(sc_staff).get(f"/admin/compensation/settlement/{settlement.pk}/change/").content.decode()
    assert "下游方重庆市向上游方四川省支付" in page
    assert "10,000,000 元" in page and "10000000" not in page
    for step in settlement.steps:
        assert describe_step(step).split("：")[0] in page
    assert section.code in page and "12" in page  # the section and its samples in the period
    assert "SRID" not in page and '"kind"' not in page  # no raw JSON


def test_the_confirm_action_and_the_status_button_show_and_confirm_the_same_figures(sc_staff, joint_office):
    settlement, _section = _computed(joint_office)
    client = _admin(sc_staff)
    page = client.post(
        "/admin/compensation/settlement/", {"action": "confirm", "_selected_action": [str(settlement.pk)]}
    ).content.decode()
    assert "10,000,000 元" in page and "重庆市" in page

    change = client.get(f"/admin/compensation/settlement/{settlement.pk}/change/").content.decode()
    assert 'name="to" value="confirmed"' in change
    client.post(
        f"/admin/compensation/settlement/{settlement.pk}/transition/",
        {"to": "confirmed", "loaded_version": settlement.version},
    )
    settlement.refresh_from_db()
    assert settlement.upstream_confirmed_by == sc_staff
