"""Reads of the conference's follow-up for the figure pages, each at a fixed number of queries."""

from collections import defaultdict
from decimal import Decimal

from projects.conference.choices import ActionStatus


def overdue_actions_by_province(actions) -> dict:
    """Per province code of the responsible organization (``""`` for bodies of both provinces, such
    as the joint office): the follow-up actions marked overdue among ``actions`` (a queryset the
    reader may see: ``projects.permissions.visible``). One query."""
    counts = defaultdict(int)
    rows = actions.filter(status=ActionStatus.OVERDUE).values_list(
        "responsible_organization__province__code", flat=True
    )
    for code in rows:
        counts[code or ""] += 1
    return dict(counts)


def behind_in_words(item: dict) -> list[str]:
    """Why an item of ``execution.plan_execution`` is behind, in the reader's language: its
    ``behind_reasons`` codes told with the figures the item carries (nothing computed again)."""
    from django.utils.translation import gettext as _

    targets = {target["indicator"]: target for target in item["targets"]}

    def number(text, trim=False):
        # Thousands separators on the figure as execution rounded it; trailing zeros off for quantities.
        shown = f"{Decimal(text):,}"
        return shown.rstrip("0").rstrip(".") if trim and "." in shown else shown

    words = []
    for reason in item["behind_reasons"]:
        kind, _sep, detail = reason.partition(":")
        if kind == "investment":
            words.append(
                _("Investment: %(actual)s of %(planned)s (10,000 CNY) spent this year")
                % {"actual": number(item["actual_investment"]), "planned": number(item["planned_investment"])}
            )
        elif kind == "indicator" and detail in targets:
            target = targets[detail]
            words.append(
                _("%(indicator)s: %(actual)s of %(planned)s %(unit)s reached")
                % {
                    "indicator": target["name"],
                    "actual": number(target["actual"], trim=True),
                    "planned": number(target["planned"], trim=True),
                    "unit": target["unit"],
                }
            )
        elif kind == "milestone":
            words.append(_("Milestone “%(title)s” is past its due date and not done") % {"title": detail})
        else:
            words.append(reason)
    return words
