"""What a confirmed settlement used can no longer change.

Once both parties confirm a settlement, the samples of its agreement's sections inside its
period are frozen. Every write of a sample asks ``refuse_if_settled`` under a lock on the
settlements that cover it, so a sample write and a confirmation never pass each other: one
waits for the other, and either the write is refused or the confirmation sees the new data
(and refuses to confirm figures computed without it, see ``settlements``).
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from projects.compensation.choices import SettlementStatus
from projects.compensation.models import Settlement
from projects.core.errors import DomainError


def settlements_covering(section_id, dates: Iterable[datetime.date]):
    """The settlements of the agreements judged on the section whose period holds one of the dates."""
    condition = Q()
    for day in dates:
        condition |= Q(period_start__lte=day, period_end__gte=day)
    if not condition:
        return Settlement.objects.none()
    return Settlement.objects.filter(condition, agreement__sections=section_id)


def refuse_if_settled(section_id, dates: Iterable[datetime.date]) -> None:
    """Refuse (409) a change of samples a confirmed settlement was computed from.

    The covering settlements are locked until the transaction ends, so a confirmation running
    at the same time waits for this write (and then sees it)."""
    if section_id is None:
        return
    dates = [day for day in dates if day is not None]
    covering = list(settlements_covering(section_id, dates).select_for_update(of=("self",)).order_by("pk"))
    locked = next((s for s in covering if s.status == SettlementStatus.CONFIRMED), None)
    if locked is not None:
        raise DomainError(
            _("Settlement %(settlement)s was confirmed by both parties with this data; it cannot change.")
            % {"settlement": f"{locked.agreement.code} {locked.period}"},
            settlement=str(locked.pk),
        )
