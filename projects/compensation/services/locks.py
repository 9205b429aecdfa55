"""What a confirmed settlement used can no longer change.

Once both parties confirm a settlement, everything it was computed from is frozen, through
every face (API, admin, CSV import, services, direct edits of the agreement's sections):

* the samples of its agreement's sections inside its period: every write of a sample asks
  ``refuse_if_settled`` under a lock on the settlements that cover it, so a sample write and a
  confirmation never pass each other (one waits, and either the write is refused or the
  confirmation sees the new data and refuses figures computed without it);
* the agreement's terms (sections, rule, parties, dates, method, pools, text), its rule's
  figures and its sections' targets. A changed agreement is a new version that supersedes
  the old one (``agreement_revise``); the confirmed settlement keeps pointing at the version,
  rule and sections it used, and its stored inputs replay to the same result.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from projects.compensation.choices import SettlementStatus
from projects.compensation.models import CompensationAgreement, Settlement
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


# --- the terms a confirmed settlement used --------------------------------------------------------

# What the calculation reads of an agreement, its rule and its sections (``settlement.gather_inputs``).
AGREEMENT_TERMS = (
    "code",
    "upstream_province",
    "upstream_division",
    "downstream_province",
    "downstream_division",
    "start_date",
    "end_date",
    "sections",
    "upstream_contribution",
    "downstream_contribution",
    "rule",
    "evaluation_method",
    "settlement_period",
    "document",
)
RULE_TERMS = ("code", "kind", "amount_met", "amount_missed", "parameters", "max_amount", "verified")
SECTION_TERMS = ("code", "waterbody", "target_class")


def _confirmed(**condition):
    return Settlement.objects.filter(status=SettlementStatus.CONFIRMED, **condition).select_related("agreement")


def _refuse(what, changed: Iterable[str], locked: Settlement, hint: str) -> None:
    raise DomainError(
        _(
            "Settlement %(settlement)s was confirmed by both parties on these terms, so %(what)s cannot "
            "change (%(fields)s). %(hint)s"
        )
        % {"settlement": locked, "what": what, "fields": ", ".join(sorted(changed)), "hint": hint},
        settlement=str(locked.pk),
        fields=sorted(changed),
    )


def refuse_agreement_change(agreement, changed: Iterable[str]) -> None:
    """The terms of an agreement a confirmed settlement used are frozen: a change is a new version."""
    changed = set(changed) & set(AGREEMENT_TERMS)
    if not changed or agreement.pk is None:
        return
    locked = _confirmed(agreement=agreement).first()
    if locked is not None:
        _refuse(
            _("the agreement"),
            changed,
            locked,
            _("Record the change as a new version of the agreement (revise), which supersedes this one."),
        )


def refuse_rule_change(rule, changed: Iterable[str]) -> None:
    changed = set(changed) & set(RULE_TERMS)
    if not changed or rule.pk is None:
        return
    locked = _confirmed(agreement__rule=rule).first()
    if locked is not None:
        _refuse(
            _("its rule"),
            changed,
            locked,
            _("Write a new rule and revise the agreement to use it."),
        )


def refuse_section_change(section, changed: Iterable[str]) -> None:
    changed = set(changed) & set(SECTION_TERMS)
    if not changed or section.pk is None:
        return
    locked = _confirmed(agreement__sections=section).first()
    if locked is not None:
        _refuse(
            _("its monitoring section"),
            changed,
            locked,
            _("Add a new section and revise the agreement to use it."),
        )


@receiver(m2m_changed, sender=CompensationAgreement.sections.through)
def _sections_stay(sender, instance, action, reverse, pk_set, **kwargs):
    """The safety net under the services: an edit of an agreement's sections made past them (a
    script, the shell) is refused like one through them. ``agreement_save`` refuses first, with
    the same message."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if not reverse:
        refuse_agreement_change(instance, ["sections"])
        return
    agreements = instance.agreements.all() if pk_set is None else CompensationAgreement.objects.filter(pk__in=pk_set)
    for agreement in agreements:
        refuse_agreement_change(agreement, ["sections"])


def confirmed_under_predecessors(agreement, period: str) -> Settlement | None:
    """The confirmed settlement of ``period`` under an earlier version of the agreement, if any."""
    earlier, seen = [], set()
    current = agreement.supersedes
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        earlier.append(current.pk)
        current = current.supersedes
    if not earlier:
        return None
    return _confirmed(agreement__in=earlier, period=period).first()
