"""Reads of the conference's follow-up for the figure pages, each at a fixed number of queries."""

from collections import defaultdict

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
