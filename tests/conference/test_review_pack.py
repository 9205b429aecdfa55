"""The review pack: requested at once (202), built by a Celery task, downloaded when ready."""

import io

import pytest
from openpyxl import load_workbook

from projects.conference import services
from projects.conference.choices import ActionStatus, PlanStatus, ReviewStatus
from projects.conference.models import ReviewPack
from tests.conference.factories import (
    ActionItemFactory,
    AnnualPlanFactory,
    ExpertReviewFactory,
    MeetingFactory,
    PlanItemFactory,
    report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(year=2022, status=PlanStatus.SUBMITTED, meeting=meeting)
    item = PlanItemFactory(plan=plan)
    report(item.project, "2022-06", "40", {"forest-restored-area": "12"})
    ActionItemFactory(title="建立跨界断面水质联合监测", status=ActionStatus.OVERDUE)
    ActionItemFactory(title="已办结事项", status=ActionStatus.DONE)
    ExpertReviewFactory(
        plan=plan, status=ReviewStatus.SUBMITTED, opinion="建议补充资金来源", recommendation="approve", score=88
    )
    return meeting


def test_requesting_a_pack_answers_202_at_once_then_the_task_builds_it(
    client_for, joint_office, meeting, django_capture_on_commit_callbacks
):
    office = client_for(joint_office)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/", {"as_of": "2022-12-31"}, format="json")
        # The answer is given before the task runs.
        assert response.status_code == 202
        assert response.json()["status"] == "pending"
        assert response.json()["xlsx_url"] is None
    assert len(callbacks) == 1
    state = office.get(response["Location"]).json()
    assert state["status"] == "ready", state["error"]
    assert state["plan"]["year"] == 2022

    pdf = office.get(state["pdf_url"])
    assert pdf.status_code == 200
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    assert b"WenQuanYiZenHei" in content  # the Chinese font is embedded

    xlsx = office.get(state["xlsx_url"])
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert len(workbook.sheetnames) == 6
    cells = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert "建立跨界断面水质联合监测" in cells  # open follow-up actions
    assert "已办结事项" not in cells
    assert "建议补充资金来源" in cells  # expert opinions
    assert any(value.startswith("SC-") for value in cells)  # plan execution
    latest = office.get(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    assert latest["id"] == state["id"]


def test_a_pack_in_the_works_is_reused_and_building_twice_changes_nothing(client_for, joint_office, meeting):
    office = client_for(joint_office)
    first = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    second = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    assert first["id"] == second["id"]
    not_ready = office.get(f"/api/v1/review-packs/{first['id']}/pdf/")
    assert not_ready.status_code == 409
    assert services.review_pack_build(pack_id=first["id"]) == "ready"
    built = ReviewPack.objects.get(pk=first["id"])
    assert services.review_pack_build(pack_id=first["id"]) == "ready"
    again = ReviewPack.objects.get(pk=first["id"])
    assert (again.pdf.name, again.finished_at) == (built.pdf.name, built.finished_at)


def test_a_failed_build_is_recorded_on_the_pack(joint_office, meeting, settings):
    settings.PDF_FONT_PATH = "/nonexistent/font.ttc"
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics._fonts.pop("WenQuanYiZenHei", None)
    try:
        pack, _created = services.review_pack_request(actor=joint_office, meeting=meeting)
        with pytest.raises(Exception, match="font"):
            services.review_pack_build(pack_id=pack.pk)
        pack.refresh_from_db()
        assert pack.status == "failed"
        assert "fonts-wqy-zenhei" in pack.error
        assert "/nonexistent/font.ttc (PDF_FONT_PATH) is missing" in pack.error
    finally:
        if registered is not None:
            pdfmetrics._fonts["WenQuanYiZenHei"] = registered


def test_provincial_staff_read_packs_but_do_not_request_them(client_for, sc_staff, meeting):
    response = client_for(sc_staff).post(f"/api/v1/meetings/{meeting.pk}/review-pack/")
    assert response.status_code == 403
    assert not ReviewPack.objects.exists()
    assert client_for(sc_staff).get("/api/v1/review-packs/").status_code == 200


def test_titles_and_opinions_starting_like_a_formula_stay_text_in_the_spreadsheet(joint_office, meeting):
    import datetime

    from projects.conference.review_pack import build_xlsx, pack_contents

    plan = AnnualPlanFactory(year=2022)  # the meeting's plan (one per year)
    ActionItemFactory(title='=HYPERLINK("http://evil.example","点我")', status=ActionStatus.OVERDUE)
    ExpertReviewFactory(plan=plan, status=ReviewStatus.SUBMITTED, opinion="=1+1", recommendation="approve", score=90)
    pack = ReviewPack.objects.create(
        meeting=meeting, plan=plan, requested_by=joint_office, as_of=datetime.date(2022, 12, 31)
    )
    workbook = load_workbook(io.BytesIO(build_xlsx(pack_contents(pack)).read()))
    cells = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil.example","点我")' in cells
    assert "'=1+1" in cells
    assert not [value for value in cells if isinstance(value, str) and value.startswith("=")]
    assert 88 in cells and 90 in cells  # numbers keep their type
