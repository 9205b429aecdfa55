"""The acceptance form (验收表) of an acceptance record as a PDF, in the site's language (Chinese).

The layout follows the record: the project and the kind of acceptance, the acceptance group, the
summary of performance targets met (工程绩效目标完成情况汇总), the land-use change, the conclusion and
opinion, and the rectification items. The CJK font is the review pack's (``PDF_FONT_PATH``).
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from projects.conference.review_pack import register_font
from projects.restoration.models import AcceptanceRecord
from projects.restoration.selectors import shown


def _percent(row) -> str:
    share = row.share
    return "—" if share is None else f"{shown(share * 100, 1)} %"


def acceptance_pdf(record: AcceptanceRecord) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=16, spaceBefore=6, spaceAfter=3)
    title_style = ParagraphStyle("title", parent=body, fontSize=16, leading=21, spaceAfter=6, alignment=1)

    def cell(value):
        text = "" if value is None else str(value)
        return Paragraph(escape(text).replace("\n", "<br/>"), body)

    def table(header, rows):
        data = ([[cell(h) for h in header]] if header else []) + [[cell(v) for v in row] for row in rows]
        grid = Table(data, repeatRows=1 if header else 0)
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

    with translation.override(settings.LANGUAGE_CODE):
        project = record.project
        title = _("Acceptance form: %(kind)s") % {"kind": record.get_kind_display()}
        story = [
            Paragraph(escape(title), title_style),
            table(
                None,
                [
                    [_("project"), f"{project.code} {project.name_zh}"],
                    [_("lead organization"), project.lead_organization.name],
                    [_("sub-project or unit"), record.subject or "—"],
                    [_("date of acceptance"), record.accepted_on.isoformat()],
                    [_("conclusion"), record.get_conclusion_display() or "—"],
                ],
            ),
            Paragraph(escape(_("acceptance group")), heading),
            table(
                [_("member's name"), _("member's organization"), _("expert of the committee"), _("group leader")],
                [
                    [m.name, m.organization_name, m.expert.field if m.expert_id else "—", "✓" if m.is_leader else ""]
                    for m in record.members.select_related("expert")
                ]
                or [["—", "", "", ""]],
            ),
            Paragraph(escape(_("Summary of performance targets met")), heading),
            table(
                [
                    _("indicator"),
                    _("target value"),
                    _("achieved value"),
                    _("share achieved"),
                    _("reason for the shortfall"),
                ],
                [
                    [
                        f"{row.indicator.name}（{row.indicator.unit}）",
                        shown(row.target_value),
                        shown(row.achieved_value) or "—",
                        _percent(row),
                        row.shortfall_reason,
                    ]
                    for row in record.indicators.select_related("indicator")
                ]
                or [["—", "", "", "", ""]],
            ),
            Paragraph(escape(_("land-use change")), heading),
            table(
                [_("land use"), _("area before (ha)"), _("area after (ha)")],
                [[row.get_land_use_display(), row.area_before_ha, row.area_after_ha] for row in record.land_use.all()]
                or [["—", "", ""]],
            ),
            Paragraph(escape(_("acceptance opinion")), heading),
            cell(record.opinion or "—"),
            Paragraph(escape(_("rectification items")), heading),
            table(
                [_("title"), _("responsible organization"), _("due date"), _("status")],
                [
                    [
                        item.title,
                        item.responsible_organization.name,
                        item.due_date.isoformat(),
                        item.get_status_display(),
                    ]
                    for item in record.rectifications.select_related("responsible_organization")
                ]
                or [["—", "", "", ""]],
            ),
            Spacer(1, 12 * mm),
            cell(_("Signature of the group leader: ____________    Date: ____________")),
        ]
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
            title=title,
        )  # fmt: skip
        document.build(story)
    return buffer.getvalue()
