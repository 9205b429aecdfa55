"""Acceptance (验收): recorded, concluded, and what it allows the project; in the API, the admin and print."""

import base64
import datetime
import re
import zlib
from decimal import Decimal

import pytest
from django.test import Client

from projects.core.models import ChangeRecord
from projects.restoration import services
from projects.restoration.acceptance_form import acceptance_pdf
from projects.restoration.models import AcceptanceRecord, Indicator, RectificationItem
from tests.conference.factories import ExpertFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

pytestmark = pytest.mark.django_db
URL = "/api/v1/acceptance-records/"


@pytest.fixture
def completed(sc_staff):
    """A finished project that reached 60 % of its restored-area target."""
    project = ProjectFactory(code="SC-2024-0701", status="completed")
    TargetFactory(project=project, target_value=Decimal("100"))
    report = ReportFactory(project=project, period="2025-06", status="accepted", reported_by=sc_staff)
    report.values.create(indicator=Indicator.objects.get(code="forest-restored-area"), value=Decimal("60"))
    return project


def _record(client, project, **extra):
    body = {
        "project": project.code,
        "kind": "whole_project",
        "accepted_on": "2026-03-01",
        "members": [{"name": "王工", "organization_name": "四川省自然资源厅", "is_leader": True}],
        "land_use": [{"land_use": "forest", "area_before_ha": "20", "area_after_ha": "80"}],
        **extra,
    }
    return client.post(URL, body, format="json")


def _conclude(client, record_id):
    return client.post(f"{URL}{record_id}/transition/", {"to": "concluded"}, format="json")


def test_a_new_record_is_prefilled_with_the_projects_targets_and_achievements(client_for, sc_staff, completed):
    response = _record(client_for(sc_staff), completed)
    assert response.status_code == 201, response.json()
    rows = response.json()["indicators"]
    assert [(r["indicator"]["code"], r["target_value"], r["achieved_value"]) for r in rows] == [
        ("restored-area", "100.000", "60.000")
    ]


def test_a_shortfall_below_the_share_needs_a_reason_and_a_failure_sends_the_project_back(
    client_for, sc_staff, completed
):
    client = client_for(sc_staff)
    record = _record(client, completed, conclusion="failed").json()
    refused = _conclude(client, record["id"])
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"indicators", "rectifications"}
    reason = refused.json()["errors"]["indicators"][0]
    assert "80" in reason and "生态修复面积" in reason

    rows = [{**record["indicators"][0], "indicator": "restored-area", "shortfall_reason": "部分地块未完成征地"}]
    assert client.patch(f"{URL}{record['id']}/", {"indicators": rows}, format="json").status_code == 200
    item = client.post(
        "/api/v1/rectification-items/",
        {
            "record": record["id"],
            "title": "补植乔木 40 公顷",
            "responsible_organization": "sc-natural-resources",
            "due_date": "2026-09-30",
        },
        format="json",
    )
    assert item.status_code == 201, item.json()
    assert _conclude(client, record["id"]).status_code == 200
    completed.refresh_from_db()
    assert completed.status == "in_progress"
    last = completed.transitions.first()
    assert (last.from_status, last.to_status) == ("completed", "in_progress") and "补植乔木" in last.comment
    # A concluded record is frozen.
    assert client.patch(f"{URL}{record['id']}/", {"opinion": "改"}, format="json").status_code == 409


def test_the_project_is_accepted_only_after_a_passed_whole_project_acceptance(client_for, joint_office, completed):
    client = client_for(joint_office)
    accept = {"to": "accepted", "comment": "验收通过"}
    assert client.post(f"/api/v1/projects/{completed.id}/transition/", accept, format="json").status_code == 409
    record = _record(client, completed, conclusion="passed").json()
    rows = [{**record["indicators"][0], "indicator": "restored-area", "shortfall_reason": "征地受阻"}]
    client.patch(f"{URL}{record['id']}/", {"indicators": rows}, format="json")
    # Recorded but not concluded: still refused.
    assert client.post(f"/api/v1/projects/{completed.id}/transition/", accept, format="json").status_code == 409
    assert _conclude(client, record["id"]).status_code == 200
    answer = client.post(f"/api/v1/projects/{completed.id}/transition/", accept, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"


def test_passed_after_rectification_waits_for_every_item_to_be_done(client_for, joint_office, settings, completed):
    settings.ACCEPTANCE_MIN_SHARE = Decimal("0.5")  # 60 % needs no reason now
    client = client_for(joint_office)
    record = _record(client, completed, conclusion="rectify").json()
    item = client.post(
        "/api/v1/rectification-items/",
        {"record": record["id"], "title": "完善管护制度", "responsible_organization": "sc-natural-resources",
         "due_date": "2020-01-31"},
        format="json",
    ).json()  # fmt: skip
    assert _conclude(client, record["id"]).status_code == 200
    assert client.get(f"/api/v1/rectification-items/{item['id']}/").json()["is_overdue"] is True
    assert [i["id"] for i in client.get("/api/v1/rectification-items/", {"overdue": "true"}).json()["results"]] == [
        item["id"]
    ]
    accept = {"to": "accepted"}
    refused = client.post(f"/api/v1/projects/{completed.id}/transition/", accept, format="json")
    assert refused.status_code == 409 and "完善管护制度" in refused.json()["detail"]
    done = client.post(f"/api/v1/rectification-items/{item['id']}/transition/", {"to": "done"}, format="json")
    assert done.status_code == 200 and done.json()["completed_on"] == str(datetime.date.today())
    assert client.post(f"/api/v1/projects/{completed.id}/transition/", accept, format="json").status_code == 200


def test_a_whole_project_acceptance_needs_the_works_completed(client_for, sc_staff):
    project = ProjectFactory(code="SC-2024-0702")  # in progress
    answer = _record(client_for(sc_staff), project)
    assert answer.status_code == 409
    assert _record(client_for(sc_staff), project, kind="sub_project", subject="一标段").status_code == 201


def test_another_provinces_staff_cannot_record_or_conclude(client_for, cq_staff, sc_staff, completed):
    before = ChangeRecord.objects.count()
    assert _record(client_for(cq_staff), completed).status_code == 403
    assert ChangeRecord.objects.count() == before and not AcceptanceRecord.objects.exists()
    record = _record(client_for(sc_staff), completed).json()
    assert _conclude(client_for(cq_staff), record["id"]).status_code == 403


def test_an_expert_of_the_committee_is_named_as_the_committee_knows_them(client_for, sc_staff, completed):
    expert = ExpertFactory(name="李教授", affiliation="四川大学")
    body = _record(client_for(sc_staff), completed, members=[{"expert": str(expert.pk), "is_leader": True}]).json()
    assert body["members"][0]["name"] == "李教授" and body["members"][0]["organization_name"] == "四川大学"
    assert _record(client_for(sc_staff), completed, members=[{"is_leader": True}]).status_code == 400


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i]
        if byte == 0x5C:  # backslash
            following = literal[i + 1 : i + 4]
            octal = re.match(rb"[0-7]{1,3}", following)
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(literal[i + 1 : i + 2], literal[i + 1 : i + 2])
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def _pdf_text(pdf: bytes) -> str:
    """The text a PDF shows, in order: each string drawn, through its font's ToUnicode map (what
    pdftotext does, for the simple PDFs reportlab writes)."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}

    def stream(body: bytes) -> bytes:
        raw = re.search(rb"stream\r?\n(.*)", body, re.S).group(1)
        if b"ASCII85Decode" in body:
            raw = base64.a85decode(raw[: raw.index(b"~>") + 2], adobe=True)
        return zlib.decompressobj().decompress(raw) if b"FlateDecode" in body else raw

    maps = {}
    for name, number in re.findall(rb"/(F[\w+]+) (\d+) 0 R", pdf):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
        if to_unicode:
            pairs = re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4,})>", stream(objects[int(to_unicode.group(1))]))
            maps[name] = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}
    text, font = [], None
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body:
            continue
        try:
            content = stream(body)
        except (zlib.error, ValueError):
            continue
        for token in re.finditer(rb"/(F[\w+]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)", content, re.S):
            if token.group(1):
                font = token.group(1)
            elif font in maps:
                text.append("".join(maps[font].get(b, "") for b in _unescape(token.group(2))))
    return "".join(text)


def test_the_acceptance_form_prints_in_chinese(client_for, sc_staff, completed):
    client = client_for(sc_staff)
    record = _record(client, completed, opinion="工程质量合格").json()
    pdf = client.get(f"{URL}{record['id']}/form/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = pdf.content
    assert content.startswith(b"%PDF") and b"WenQuanYiZenHei" in content
    text = _pdf_text(content)
    for words in ("验收表", "整体验收", "王工", "四川省自然资源厅", "工程质量合格", "生态修复面积", "林地"):
        assert words in text, words
    assert "工程绩效目标完成情况汇总" in _pdf_text(acceptance_pdf(AcceptanceRecord.objects.get()))


def test_the_admin_records_with_inlines_and_prints_the_form(joint_office, completed):
    record = services.acceptance_save(
        actor=joint_office,
        data={
            "project": completed,
            "kind": "sub_project",
            "subject": "一标段",
            "accepted_on": datetime.date(2026, 1, 5),
        },
    )
    client = Client()
    client.force_login(joint_office)
    page = client.get(f"/admin/restoration/acceptancerecord/{record.pk}/change/")
    assert page.status_code == 200 and "form.pdf" in page.content.decode()
    assert client.get(f"/admin/restoration/acceptancerecord/{record.pk}/form.pdf").content.startswith(b"%PDF")
    # Concluding from the admin asks the same rules: no group yet, so nothing changes.
    client.post(
        "/admin/restoration/acceptancerecord/",
        {"action": "conclude", "_selected_action": [str(record.pk)], "apply": "1"},
    )
    record.refresh_from_db()
    assert record.status == "draft"
    assert not RectificationItem.objects.exists()
    assert org("sc-natural-resources")
