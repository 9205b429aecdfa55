"""Reference data and the demo: loaded again, nothing changes or doubles."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.compensation import demo, reference
from projects.compensation.models import (
    CompensationAgreement,
    FundAllocation,
    QualityLimit,
    Settlement,
    Standard,
    WaterSample,
)
from projects.core.demo import load_users
from projects.core.models import ChangeRecord
from tests.compensation.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_gb3838_limits_are_loaded_once_with_river_and_lake_phosphorus():
    assert QualityLimit.objects.filter(parameter="tp").count() == 10
    assert QualityLimit.objects.get(parameter="tp", waterbody="lake", water_class=3).limit == Decimal("0.05")
    assert QualityLimit.objects.get(parameter="do", water_class=1).comparator == "gte"
    history = ChangeRecord.objects.count()
    reference.load()
    assert ChangeRecord.objects.count() == history


def test_demo_is_idempotent_and_keeps_entered_data():
    load_users()
    ProductFactory()  # a project exists, so products and trades are made
    first = demo.load()
    assert first["agreement"]["samples_created"] == 24
    settlements = dict(Settlement.objects.values_list("period", "status"))
    assert settlements == {"2023": "confirmed", "2024": "computed"}
    assert first["fund"]["balance_yuan"] >= 0
    agreement = CompensationAgreement.objects.get()
    agreement.river = "琼江（已编辑）"
    agreement.save()
    counts = (WaterSample.objects.count(), FundAllocation.objects.count(), Standard.objects.count())
    second = demo.load()
    assert second["agreement"]["samples_created"] == 0
    assert (WaterSample.objects.count(), FundAllocation.objects.count(), Standard.objects.count()) == counts
    assert CompensationAgreement.objects.get().river == "琼江（已编辑）"


def test_load_demo_command_runs(capsys, settings):
    settings.DEBUG = True  # as make demo runs it
    call_command("load_demo")
    assert "compensation.load" in capsys.readouterr().out
