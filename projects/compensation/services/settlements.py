"""Settlements: opened for an ended period, computed from the recorded data, confirmed by both parties.

``settlement_save`` opens one (a Celery task computes it on commit); ``settlement_transition``
recomputes it (``to="computed"``) or confirms it for one party (``to="confirmed"``, with
``side`` when both parties are in the user's province). Once both parties have confirmed,
the settlement is locked, and so is everything it used (``locks``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.compensation.choices import AgreementStatus, SettlementStatus, Side
from projects.compensation.lifecycle import SETTLEMENT_LIFECYCLE
from projects.compensation.models import CompensationAgreement, Settlement
from projects.compensation.services.locks import confirmed_under_predecessors
from projects.compensation.settlement import calculate, digest, gather_inputs, period_bounds
from projects.core import outbox
from projects.core.errors import DomainError
from projects.core.services import SYSTEM, lock, tracked_delete, tracked_save, tracked_transition
from projects.permissions import CHANGE, TRANSITION

SCHEDULED = "compensation.settlement.scheduled"
PARTY_CONFIRMED = "compensation.settlement.party_confirmed"
# The permission each move asks for: recomputing changes the figures, confirming is a party's act.
TRANSITION_PERMISSIONS = {SettlementStatus.COMPUTED: CHANGE, SettlementStatus.CONFIRMED: TRANSITION}


def _schedule_compute(settlement: Settlement) -> None:
    from projects.compensation.tasks import compute_settlement

    outbox.send_on_commit(compute_settlement, settlement)


def settlements_send_pending() -> int:
    """The drain (beat): send the computations of pending settlements that the broker never got
    (down when they were opened) or lost. Returns how many were sent."""
    from projects.compensation.tasks import compute_settlement

    return outbox.drain(compute_settlement, Settlement.objects.filter(status=SettlementStatus.PENDING))


def _opener(agreement: CompensationAgreement, period: str):
    def write(_current):
        nonlocal agreement
        agreement = lock(agreement)  # as it is now, and not superseded while this opens
        start, end = period_bounds(period, agreement.settlement_period)
        if end < agreement.start_date or start > agreement.end_date:
            raise ValidationError(
                {
                    "period": _("The period is outside the agreement (%(start)s – %(end)s).")
                    % {"start": agreement.start_date, "end": agreement.end_date}
                }
            )
        if end >= timezone.localdate():
            raise ValidationError({"period": _("The period has not ended yet.")})
        if agreement.status == AgreementStatus.DRAFT:
            raise DomainError(_("A draft agreement is not settled; put it in force first."))
        if agreement.status == AgreementStatus.SUPERSEDED:
            raise DomainError(_("This version of the agreement is superseded; settle under its newer version."))
        earlier = confirmed_under_predecessors(agreement, period)
        if earlier is not None:
            raise ValidationError(
                {
                    "period": _("This period was settled and confirmed under %(agreement)s.")
                    % {"agreement": earlier.agreement.code}
                }
            )
        settlement = Settlement(agreement=agreement, period=period, period_start=start, period_end=end)
        settlement.full_clean(exclude=["period_start", "period_end"])
        settlement.save()
        _schedule_compute(settlement)
        return settlement

    return write


def settlement_save(*, actor, instance: Settlement | None = None, data: dict, expected_version=None) -> Settlement:
    """Open a settlement of ``data["agreement"]`` for ``data["period"]`` (an ended period inside the
    agreement); a Celery task computes it when the transaction commits. Settlements are not
    edited: they are recomputed or confirmed (``settlement_transition``)."""
    if instance is not None:
        raise DomainError(_("A settlement is not edited; recompute it instead."))
    agreement, period = data.get("agreement"), data.get("period")
    if agreement is None:
        raise ValidationError({"agreement": _("Name the agreement to settle.")})
    return tracked_save(actor=actor, instance=None, write=_opener(agreement, period))


def _compute(settlement: Settlement, _from_status=None) -> None:
    """Gather the inputs and calculate. Confirmations survive a recomputation that changes
    nothing; otherwise they are cleared, since the parties confirmed other figures."""
    inputs = gather_inputs(settlement.agreement, settlement.period)
    result = calculate(inputs)
    new_digest = digest(inputs)
    changed = (new_digest, result["payer"], result["amount"]) != (
        settlement.input_digest,
        settlement.payer,
        settlement.amount,
    )
    settlement.inputs, settlement.steps, settlement.input_digest = inputs, result["steps"], new_digest
    settlement.payer, settlement.amount = result["payer"], result["amount"]
    if changed:
        settlement.computed_at = timezone.now()
        for side in Side.values:
            setattr(settlement, f"{side}_confirmed_by", None)
            setattr(settlement, f"{side}_confirmed_at", None)


def settlement_compute(*, actor=SYSTEM, instance: Settlement, comment: str = "", expected_version=None) -> Settlement:
    """Compute (or recompute) from the recorded data; a confirmed settlement is refused (409).
    The task computes as the system; people recompute through ``settlement_transition``."""
    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=SETTLEMENT_LIFECYCLE,
        to=SettlementStatus.COMPUTED,
        permission=TRANSITION_PERMISSIONS[SettlementStatus.COMPUTED],
        comment=comment,
        expected_version=expected_version,
        apply=_compute,
        related=("agreement__rule",),
    )


def _side_of(actor, agreement, side: str | None) -> str:
    sides = [s for s in Side.values if agreement.party_province_id(s) == actor.province_id]
    if side:
        if side not in sides:
            raise ValidationError({"side": _("You do not act for the %(side)s party.") % {"side": Side(side).label}})
        return side
    if len(sides) != 1:
        raise ValidationError({"side": _("Say which party you confirm for: upstream or downstream.")})
    return sides[0]


def _confirm(*, actor, instance, side, comment, expected_version) -> Settlement:
    chosen = {}

    def check(settlement):
        chosen["side"] = _side_of(actor, settlement.agreement, side)
        if getattr(settlement, f"{chosen['side']}_confirmed_at"):
            raise DomainError(_("The %(side)s party has confirmed already.") % {"side": Side(chosen["side"]).label})
        if settlement.agreement.status == AgreementStatus.SUPERSEDED:
            raise DomainError(_("This version of the agreement is superseded; settle under its newer version."))
        # The parties confirm figures computed from the data as it is now, nothing older.
        if digest(gather_inputs(settlement.agreement, settlement.period)) != settlement.input_digest:
            raise DomainError(
                _("The recorded data changed since this settlement was computed; recompute it, then confirm.")
            )

    def apply(settlement, from_status):
        setattr(settlement, f"{chosen['side']}_confirmed_by", actor)
        setattr(settlement, f"{chosen['side']}_confirmed_at", timezone.now())
        if not (settlement.upstream_confirmed_at and settlement.downstream_confirmed_at):
            settlement.status = from_status  # locked only once both parties have confirmed

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=SETTLEMENT_LIFECYCLE,
        to=SettlementStatus.CONFIRMED,
        permission=TRANSITION_PERMISSIONS[SettlementStatus.CONFIRMED],
        comment=comment,
        expected_version=expected_version,
        check=check,
        apply=apply,
        related=("agreement__rule",),
        event=lambda s: "" if s.status == SettlementStatus.CONFIRMED else PARTY_CONFIRMED,
    )


def settlement_transition(
    *, actor, instance: Settlement, to: str, comment: str = "", expected_version=None, side: str | None = None
) -> Settlement:
    """``computed``: recompute now from the current data (refused once confirmed: 409).
    ``confirmed``: confirm the figures for one party (``side`` when the user's province is both);
    when both parties have confirmed, the settlement is locked."""
    if to == SettlementStatus.CONFIRMED:
        return _confirm(actor=actor, instance=instance, side=side, comment=comment, expected_version=expected_version)
    if to == SettlementStatus.COMPUTED:
        return settlement_compute(actor=actor, instance=instance, comment=comment, expected_version=expected_version)
    SETTLEMENT_LIFECYCLE.check(instance.status, to)  # names the moves that exist (409)
    raise DomainError(_("A settlement cannot be moved there."))


def settlement_delete(*, actor, instance: Settlement, expected_version=None) -> None:
    """The joint office deletes a settlement opened by mistake; never a confirmed one (403 by the rule)."""

    def check(settlement):
        if settlement.is_locked:
            raise DomainError(_("A confirmed settlement is kept for good."))

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)


def _periods_between(agreement, until: datetime.date) -> list[str]:
    periods, day = [], agreement.start_date.replace(day=1)
    while day <= min(agreement.end_date, until):
        if agreement.settlement_period == "month":
            label = f"{day.year}-{day.month:02d}"
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            label = str(day.year)
            day = datetime.date(day.year + 1, 1, 1)
        _start, end = period_bounds(label, agreement.settlement_period)
        if end < until:
            periods.append(label)
    return periods


def settlements_schedule_due(*, today: datetime.date | None = None) -> list[str]:
    """Open (as the system) the settlements of in-force agreements for every ended period that has none."""
    today = today or timezone.localdate()
    opened = []
    for agreement in CompensationAgreement.objects.filter(status=AgreementStatus.IN_FORCE):
        done = set(agreement.settlements.values_list("period", flat=True))
        for period in _periods_between(agreement, today):
            if period in done or confirmed_under_predecessors(agreement, period) is not None:
                continue
            settlement = tracked_save(actor=SYSTEM, instance=None, write=_opener(agreement, period), event=SCHEDULED)
            opened.append(str(settlement))
    return opened
