"""The review pack reads well: names, reasons in words, percentages, amounts with separators, headings
kept with their tables; the XLSX has number and date formats, filters and separate code and name columns."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from projects.conference import services
from projects.conference.choices import ActionStatus, PlanStatus
from projects.conference.models import PlanItem, ReviewPack
from tests.conference.factories import ActionItemFactory, AnnualPlanFactory, MeetingFactory, PlanItemFactory, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(joint_office, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(year=2022, status=PlanStatus.SUBMITTED, meeting=meeting)
    item = PlanItemFactory(plan=plan)
    PlanItem.objects.filter(pk=item.pk).update(planned_investment=Decimal("1234567.5"))  # a large figure to read
    item.milestones.create(title="完成施工图设计", due_date=datetime.date(2022, 4, 30))
    report(item.project, "2022-06", "40", {"forest-restored-area": "12"})
    ActionItemFactory(
        title="建立跨界断面水质联合监测", status=ActionStatus.OVERDUE, due_date=datetime.date(2022, 9, 30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        pack, _created = services.review_pack_request(
            actor=joint_office, meeting=meeting, as_of=datetime.date(2022, 12, 31)
        )
    return ReviewPack.objects.get(pk=pack.pk)


def test_the_xlsx_has_formats_filters_and_code_and_name_apart(pack):
    workbook = load_workbook(io.BytesIO(pack.xlsx.read()))
    items = workbook.worksheets[1]
    header = [cell.value for cell in items[1]]
    assert header[:3] == ["项目编号", "项目", "省份"]
    row = list(items[2])
    assert row[0].value.startswith("SC-") and not row[1].value.startswith("SC-")
    assert row[2].value == "四川省"
    assert row[3].number_format == "#,##0.00" and row[5].number_format == "0.0%"
    assert "完成施工图设计" in row[7].value and "milestone:" not in row[7].value
    for sheet in workbook.worksheets[1:]:
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    actions = workbook.worksheets[4]
    due = actions.cell(row=2, column=4)
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    provinces = workbook.worksheets[3]
    assert provinces.cell(row=2, column=1).value == "四川省"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_reads_in_names_words_percentages_and_separators(pack, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf.read())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "四川省" in text and "510000" not in text
    assert "1,234,567.5" in text
    assert "%" in text and "0.000" not in text
    assert "完成施工图设计" in text and "milestone:" not in text and "indicator:" not in text
