"""The contents of a meeting's review pack and its two renderings: XLSX (openpyxl) and PDF (reportlab).

The pack is written in the site's language (Chinese); labels are translatable strings. The
PDF embeds the CJK font of ``settings.PDF_FONT_PATH`` for the Chinese glyphs: by default
WenQuanYi Zen Hei (Debian fonts-wqy-zenhei).
"""

import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from projects.conference.execution import plan_execution
from projects.conference.models import ActionItem, ExpertReview, ReviewPack
from projects.core.formatting import number_text, percent_text
from projects.core.spreadsheets import safe_cell

FONT_NAME = "WenQuanYiZenHei"


def pack_contents(pack: ReviewPack) -> dict:
    """Everything the pack shows, read once: the plan and its execution, open actions, expert opinions."""
    with translation.override(settings.LANGUAGE_CODE):
        meeting = pack.meeting
        plan = pack.plan
        execution = plan_execution(plan=plan, as_of=pack.as_of) if plan else None
        actions = list(
            ActionItem.objects.unfinished()
            .select_related("decision__meeting", "responsible_organization")
            .order_by("due_date", "title")
        )
        reviews = ExpertReview.objects.submitted().select_related("expert", "project", "plan")
        if plan:
            reviews = reviews.filter(Q(plan=plan) | Q(project__plan_items__plan=plan)).distinct()
        else:
            reviews = reviews.none()
        return {
            "title": _("Review pack: joint conference meeting no. %(no)s") % {"no": meeting.sequence_no},
            "meeting": [
                (_("Meeting"), str(meeting.sequence_no)),
                (_("Date"), meeting.date.isoformat()),
                (_("Host province"), meeting.host_province.name),
                (_("Place"), meeting.place),
                (_("Figures as of"), pack.as_of.isoformat()),
                (_("Annual plan"), f"{plan.display_title} ({plan.get_status_display()})" if plan else "—"),
            ],
            "execution": execution,
            "actions": [
                {
                    "decision": str(action.decision),
                    "title": action.title,
                    "organization": action.responsible_organization.name,
                    "due_date": action.due_date,
                    "status": action.get_status_display(),
                }
                for action in actions
            ],
            "reviews": [
                {
                    "expert": review.expert.name,
                    "subject": review.project.code if review.project_id else review.plan.display_title,
                    "recommendation": review.get_recommendation_display(),
                    "score": review.score,
                    "opinion": review.opinion,
                }
                for review in reviews
            ],
            "labels": {
                "execution": _("Plan execution"),
                "by_corridor": _("By corridor"),
                "by_province": _("By province"),
                "actions": _("Open follow-up actions"),
                "reviews": _("Expert opinions"),
                "summary": _("Summary"),
                "code": _("Project code"),
                "project": _("Project"),
                "province": _("Province"),
                "corridor": _("Corridor"),
                "items": _("Items"),
                "behind": _("Behind"),
                "planned": _("Planned investment (10,000 CNY)"),
                "actual": _("Actual investment (10,000 CNY)"),
                "rate": _("Investment rate"),
                "reasons": _("Why behind"),
                "decision": _("Decision"),
                "action": _("Follow-up action"),
                "organization": _("Responsible organization"),
                "due": _("Due date"),
                "status": _("Status"),
                "expert": _("Expert"),
                "subject": _("Reviewed"),
                "recommendation": _("Recommendation"),
                "score": _("Score"),
                "opinion": _("Opinion"),
                "yes": _("yes"),
                "none": _("None."),
            },
        }


# The kind of each column: how the XLSX formats its cells and the PDF writes them.
TEXT, MONEY, RATE, COUNT, DATE = "text", "money", "rate", "count", "date"


def _number(value):
    return Decimal(value) if value not in (None, "") else None


def _reasons_in_words(row) -> str:
    """``investment``, ``indicator:<code>``, ``milestone:<title>`` as sentences in the reader's language."""
    indicator_names = {target["indicator"]: target["name"] for target in row["targets"]}
    words = []
    for reason in row["behind_reasons"]:
        kind, _colon, subject = reason.partition(":")
        if kind == "investment":
            words.append(_("investment behind the year's schedule"))
        elif kind == "indicator":
            words.append(_("%(indicator)s behind its target") % {"indicator": indicator_names.get(subject, subject)})
        elif kind == "milestone":
            words.append(_("milestone “%(title)s” overdue") % {"title": subject})
        else:
            words.append(reason)
    return "；".join(words)


def _execution_rows(contents):
    execution, labels = contents["execution"], contents["labels"]
    provinces = {group["province"]: group["name"] for group in (execution["by_province"] if execution else [])}
    header = [labels["code"], labels["project"], labels["province"], labels["planned"], labels["actual"],
              labels["rate"], labels["behind"], labels["reasons"]]  # fmt: skip
    kinds = [TEXT, TEXT, TEXT, MONEY, MONEY, RATE, TEXT, TEXT]
    rows = [
        [
            row["project"]["code"],
            row["project"]["name"],
            provinces.get(row["province"], row["province"]),
            _number(row["planned_investment"]),
            _number(row["actual_investment"]),
            _number(row["investment_rate"]),
            labels["yes"] if row["behind"] else "",
            _reasons_in_words(row),
        ]
        for row in (execution["items"] if execution else [])
    ]
    return header, kinds, rows


def _group_rows(contents, key, label):
    execution, labels = contents["execution"], contents["labels"]
    header = [label, labels["items"], labels["behind"], labels["planned"], labels["actual"], labels["rate"]]
    kinds = [TEXT, COUNT, COUNT, MONEY, MONEY, RATE]
    rows = [
        [
            group["name"],
            group["items"],
            group["behind"],
            _number(group["planned_investment"]),
            _number(group["actual_investment"]),
            _number(group["investment_rate"]),
        ]
        for group in (execution[key] if execution else [])
    ]
    return header, kinds, rows


def _action_rows(contents):
    labels = contents["labels"]
    header = [labels["decision"], labels["action"], labels["organization"], labels["due"], labels["status"]]
    kinds = [TEXT, TEXT, TEXT, DATE, TEXT]
    rows = [[a["decision"], a["title"], a["organization"], a["due_date"], a["status"]] for a in contents["actions"]]
    return header, kinds, rows


def _review_rows(contents):
    labels = contents["labels"]
    header = [labels["expert"], labels["subject"], labels["recommendation"], labels["score"], labels["opinion"]]
    kinds = [TEXT, TEXT, TEXT, COUNT, TEXT]
    rows = [[r["expert"], r["subject"], r["recommendation"], r["score"], r["opinion"]] for r in contents["reviews"]]
    return header, kinds, rows


def _sections(contents):
    labels = contents["labels"]
    return [
        (labels["execution"], *_execution_rows(contents)),
        (labels["by_corridor"], *_group_rows(contents, "by_corridor", labels["corridor"])),
        (labels["by_province"], *_group_rows(contents, "by_province", labels["province"])),
        (labels["actions"], *_action_rows(contents)),
        (labels["reviews"], *_review_rows(contents)),
    ]


def _shown(value, kind) -> str:
    """A cell as the PDF writes it: separators in amounts, rates as percentages, ISO dates."""
    if value is None or value == "":
        return "—" if kind in (MONEY, RATE) else ""
    if kind == MONEY:
        return number_text(value)
    if kind == RATE:
        return percent_text(value)
    if kind == DATE:
        return value.isoformat()
    return str(value)


def build_xlsx(contents: dict) -> ContentFile:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    formats = {MONEY: "#,##0.00", RATE: "0.0%", COUNT: "0", DATE: "yyyy-mm-dd"}
    workbook = Workbook()
    summary = workbook.active
    summary.title = contents["labels"]["summary"][:31]
    # Every cell through safe_cell: titles and opinions are people's text (a leading "=" runs).
    summary.append([safe_cell(contents["title"])])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in contents["meeting"]:
        summary.append([safe_cell(label), safe_cell(value)])
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 48
    for title, header, kinds, rows in _sections(contents):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([safe_cell(value) for value in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        for index, kind in enumerate(kinds, start=1):
            letter = get_column_letter(index)
            if kind in formats:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = formats[kind]
            wide = kind == TEXT and index in (2, len(kinds)) and len(kinds) > 2
            sheet.column_dimensions[letter].width = 40 if wide else (14 if kind != TEXT else 20)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ContentFile(buffer.getvalue())


def _widths(kinds, width) -> list:
    """Figures narrow, text wide: the last text column (reasons, opinions) widest."""
    narrow = {MONEY: 1.0, RATE: 0.7, COUNT: 0.5, DATE: 0.9, TEXT: 1.6}
    weights = [narrow[kind] for kind in kinds]
    texts = [i for i, kind in enumerate(kinds) if kind == TEXT]
    if texts:
        weights[texts[-1]] = 2.6
    total = sum(weights)
    return [width * w / total for w in weights]


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = settings.PDF_FONT_PATH
        if not Path(path).is_file():
            raise ImproperlyConfigured(
                f"The PDF font {path} (PDF_FONT_PATH) is missing: install the Debian package "
                "fonts-wqy-zenhei, or set PDF_FONT_PATH to a CJK TrueType font."
            )
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=settings.PDF_FONT_INDEX))
    return FONT_NAME


def build_pdf(contents: dict) -> ContentFile:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    # A heading is kept on the page of the table it names (keepWithNext), never alone at a page's foot.
    heading = ParagraphStyle(
        "heading", parent=body, fontSize=13, leading=17, spaceBefore=8, spaceAfter=4, keepWithNext=1
    )
    number = ParagraphStyle("number", parent=body, alignment=2)  # right-aligned figures
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=21, spaceAfter=6)

    def cell(value, kind=TEXT):
        text = _shown(value, kind)
        return Paragraph(escape(text).replace("\n", "<br/>"), body if kind in (TEXT, DATE) else number)

    def table(header, rows, widths=None, kinds=None):
        kinds = kinds or [TEXT] * len(rows[0] if rows else header or [])
        data = ([[cell(h) for h in header]] if header else []) + [
            [cell(v, kind) for v, kind in zip(row, kinds, strict=True)] for row in rows
        ]
        grid = Table(data, colWidths=widths, repeatRows=1 if header else 0)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef5"))] if header else []),
                ]
            )
        )
        return grid

    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=contents["title"],
    )  # fmt: skip
    width = page[0] - 30 * mm
    story = [Paragraph(escape(contents["title"]), title), table(None, contents["meeting"], [60 * mm, None])]
    for section_title, header, kinds, rows in _sections(contents):
        story.append(Paragraph(escape(section_title), heading))
        if rows:
            story.append(table(header, rows, _widths(kinds, width), kinds))
        else:
            story.append(Paragraph(escape(contents["labels"]["none"]), body))
        story.append(Spacer(1, 4 * mm))
    document.build(story)
    return ContentFile(buffer.getvalue())
