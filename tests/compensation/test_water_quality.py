"""Water-quality samples: the derived class, refused values, the CSV upload and the section's period class."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.compensation import services
from projects.compensation.models import Measurement, WaterSample
from projects.core.models import ChangeRecord
from tests.compensation.factories import SectionFactory, add_sample, measurements

pytestmark = pytest.mark.django_db
URL = "/api/v1/water-quality-samples/"


def post_sample(client, section, day="2023-03-10", **overrides):
    return client.post(
        URL,
        {"section": str(section.pk), "sampled_on": day, "measurements": measurements(**overrides)},
        format="json",
    )


def test_sample_class_is_derived_by_the_single_factor_method_with_the_limiting_parameter(client_for, sc_staff):
    section = SectionFactory()
    response = post_sample(client_for(sc_staff), section, tp="0.25")  # TP 0.25 > 0.2 (III) → IV
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["water_class"] == 4
    assert body["limiting_parameters"] == ["tp"]
    assert len(body["measurements"]) == 7


def test_good_water_is_class_two_and_dissolved_oxygen_is_judged_at_least(client_for, sc_staff):
    section = SectionFactory()
    assert post_sample(client_for(sc_staff), section).json()["water_class"] == 2
    low_oxygen = post_sample(client_for(sc_staff), section, day="2023-04-10", do="2.5").json()
    assert low_oxygen["water_class"] == 5  # 2 ≤ DO < 3 mg/L
    assert low_oxygen["limiting_parameters"] == ["do"]


def test_total_phosphorus_is_judged_stricter_in_lakes_and_total_nitrogen_only_there(joint_office):
    river, lake = SectionFactory(), SectionFactory(waterbody="lake")
    river_sample = add_sample(joint_office, river, datetime.date(2023, 1, 5), tn="3.0")
    lake_sample = add_sample(joint_office, lake, datetime.date(2023, 1, 5), tn="0.4")
    assert river_sample.water_class == 2  # TN ignored in rivers
    assert lake_sample.water_class == 4  # TP 0.08 > 0.05 (lake III)
    assert lake_sample.limiting_parameters == ["tp"]


def test_ph_outside_six_to_nine_is_worse_than_class_five(joint_office):
    sample = add_sample(joint_office, SectionFactory(), datetime.date(2023, 1, 5), ph="9.6")
    assert sample.water_class == 6
    assert sample.limiting_parameters == ["ph"]


def test_below_detection_limit_uses_half_the_limit(joint_office):
    items = measurements()
    items[-1] = {
        "parameter": "tp",
        "value": "0.05",
        "unit": "mg/L",
        "below_detection_limit": True,
        "detection_limit": "0.05",
    }
    sample = services.sample_save(
        actor=joint_office,
        data={"section": SectionFactory(), "sampled_on": datetime.date(2023, 1, 5), "measurements": items},
    )
    tp = sample.measurements.get(parameter="tp")
    assert tp.effective_value == Decimal("0.025")


def test_micrograms_per_litre_are_converted_to_the_standards_unit(joint_office):
    items = [
        m if m["parameter"] != "tp" else {"parameter": "tp", "value": "80", "unit": "μg/L"} for m in measurements()
    ]
    sample = services.sample_save(
        actor=joint_office,
        data={"section": SectionFactory(), "sampled_on": datetime.date(2023, 1, 5), "measurements": items},
    )
    tp = sample.measurements.get(parameter="tp")
    assert (float(tp.value), tp.unit) == (0.08, "mg/L")


def test_bad_values_are_refused_with_a_message_each_and_nothing_is_saved(client_for, sc_staff):
    section = SectionFactory()
    items = measurements(nh3n="-0.3", do="80")
    items[2]["unit"] = ""  # codmn without a unit
    history = ChangeRecord.objects.count()
    response = client_for(sc_staff).post(
        URL, {"section": str(section.pk), "sampled_on": "2023-03-10", "measurements": items}, format="json"
    )
    assert response.status_code == 400
    errors = " ".join(response.json()["errors"]["measurements"])
    assert "negative" in errors or "负" in errors
    assert "80" in errors  # the impossible dissolved oxygen
    assert "mg/L" in errors  # the missing unit names the expected one
    assert WaterSample.objects.count() == 0 and Measurement.objects.count() == 0
    assert ChangeRecord.objects.count() == history


def test_a_sample_missing_a_basic_parameter_is_refused(client_for, sc_staff):
    response = post_sample(client_for(sc_staff), SectionFactory(), cod=None)
    assert response.status_code == 400
    assert "measurements" in response.json()["errors"]


def test_a_second_sample_on_the_same_day_is_a_400(client_for, sc_staff):
    section = SectionFactory()
    assert post_sample(client_for(sc_staff), section).status_code == 201
    response = post_sample(client_for(sc_staff), section)
    assert response.status_code == 400


def test_sample_writes_are_kept_in_history_with_the_measurements(client_for, sc_staff):
    body = post_sample(client_for(sc_staff), SectionFactory()).json()
    history = client_for(sc_staff).get(f"{URL}{body['id']}/history/").json()["results"]
    assert history[0]["action"] == "create"
    assert history[0]["after"]["measurements"]["tp"]["value"].startswith("0.08")
    assert history[0]["actor"] == "sc_staff"


CSV_GOOD = """section,sampled_on,parameter,value,unit
{code},2023-01-10,do,7.1,mg/L
{code},2023-01-10,codmn,3.2,mg/L
{code},2023-01-10,cod,14,mg/L
{code},2023-01-10,bod5,2.4,mg/L
{code},2023-01-10,nh3n,0.3,mg/L
{code},2023-01-10,tp,<0.01,mg/L
{code},2023-02-10,do,6.8,mg/L
{code},2023-02-10,codmn,3.9,mg/L
{code},2023-02-10,cod,16,mg/L
{code},2023-02-10,bod5,2.8,mg/L
{code},2023-02-10,nh3n,0.6,mg/L
{code},2023-02-10,tp,0.15,mg/L
"""


def upload(client, text):
    file = SimpleUploadedFile("samples.csv", text.encode(), content_type="text/csv")
    return client.post(f"{URL}upload/", {"file": file}, format="multipart")


def test_csv_upload_creates_every_sample_with_its_class(client_for, sc_staff):
    section = SectionFactory()
    response = upload(client_for(sc_staff), CSV_GOOD.format(code=section.code))
    assert response.status_code == 201, response.json()
    assert response.json() == {"dry_run": False, "samples": 2, "measurements": 12, "unchanged": 0}
    classes = dict(WaterSample.objects.values_list("sampled_on", "water_class"))
    assert classes == {datetime.date(2023, 1, 10): 2, datetime.date(2023, 2, 10): 3}
    tp = Measurement.objects.get(sample__sampled_on=datetime.date(2023, 1, 10), parameter="tp")
    assert tp.below_detection_limit and float(tp.detection_limit) == 0.01


def test_csv_upload_is_all_or_nothing_and_reports_every_bad_line(client_for, sc_staff):
    section = SectionFactory()
    lines = CSV_GOOD.format(code=section.code).splitlines()
    lines[3] = f"{section.code},2023-01-10,cod,-4,mg/L"  # line 4: negative
    lines[8] = f"{section.code},2023-02-10,codmn,3.9,"  # line 9: no unit
    lines.append("nowhere,2023-13-01,do,7,mg/L")  # line 14: unknown section and bad date
    response = upload(client_for(sc_staff), "\n".join(lines) + "\n")
    assert response.status_code == 400
    assert response.json()["code"] == "import_rejected"
    errors = response.json()["errors"]["file"]
    assert [e["line"] for e in errors] == [4, 9, 14]
    assert all(e["reason"] for e in errors)
    assert WaterSample.objects.count() == 0


def test_csv_upload_reports_an_incomplete_sample_at_its_first_line(client_for, sc_staff):
    section = SectionFactory()
    text = "\n".join(CSV_GOOD.format(code=section.code).splitlines()[:4]) + "\n"
    response = upload(client_for(sc_staff), text)
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["line"] == 2
    assert WaterSample.objects.count() == 0


def test_csv_upload_without_the_required_columns_is_refused(client_for, sc_staff):
    response = upload(client_for(sc_staff), "section,date\nx,2023-01-01\n")
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["line"] == 1


def test_section_period_class_is_the_class_of_the_annual_mean_with_its_limiting_parameter(client_for, joint_office):
    section = SectionFactory()
    for month, tp in ((1, "0.10"), (2, "0.20"), (3, "0.36")):  # mean 0.22 → class IV
        add_sample(joint_office, section, datetime.date(2023, month, 1), tp=tp)
    body = (
        client_for(joint_office)
        .get(
            f"/api/v1/monitoring-sections/{section.pk}/evaluation/",
            {"start": "2023-01-01", "end": "2023-12-31"},
        )
        .json()
    )
    assert (body["method"], body["class"]) == ("period_mean", 4)
    assert body["limiting"] == ["tp"]
    assert body["means"]["tp"] == "0.22"
    assert (body["meets_target"], body["status"]) == (False, "missed")
