"""The compensation fund: contributions in, allocations out, a balance that never goes negative.

Every movement locks its fund's row first, so concurrent movements are checked one at a time,
and the balance is checked date by date after the write, inside the same transaction: a
failing check rolls back the write and its history (409 naming the balance and the date).
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from projects.compensation.models import CompensationFund, FundAllocation, FundContribution
from projects.core.errors import DomainError
from projects.core.services import apply_fields, plain_delete, plain_save, save_changed, tracked_delete, tracked_save

fund_save = plain_save(CompensationFund)
fund_delete = plain_delete


def check_fund_balance(fund: CompensationFund) -> None:
    """The balance may never be negative, at any date: a payment needs money already paid in."""
    movements = defaultdict(int)
    for day, amount in FundContribution.objects.filter(fund=fund).values_list("received_on", "amount"):
        movements[day] += amount
    for day, amount in FundAllocation.objects.filter(fund=fund).values_list("allocated_on", "amount"):
        movements[day] -= amount
    balance = 0
    for day in sorted(movements):
        balance += movements[day]
        if balance < 0:
            raise DomainError(
                _("The fund would be overdrawn on %(day)s: its balance would be %(balance)s yuan.")
                % {"day": day.isoformat(), "balance": f"{balance:,}"},
                balance=balance,
                date=day.isoformat(),
            )


def lock_funds(*fund_ids) -> list[CompensationFund]:
    """Lock the fund rows (in a stable order) until the transaction ends."""
    ids = sorted({str(pk) for pk in fund_ids if pk is not None})
    return list(CompensationFund.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def fund_balance(fund: CompensationFund, on: datetime.date | None = None) -> int:
    contributions = FundContribution.objects.filter(fund=fund)
    allocations = FundAllocation.objects.filter(fund=fund)
    if on:
        contributions, allocations = contributions.filter(received_on__lte=on), allocations.filter(allocated_on__lte=on)
    paid_in = contributions.aggregate(total=Sum("amount"))["total"] or 0
    paid_out = allocations.aggregate(total=Sum("amount"))["total"] or 0
    return paid_in - paid_out


def _movement_save(model, *, actor, instance, data: dict, expected_version):
    def write(current):
        movement = current if current is not None else model()
        new_fund = data.get("fund")
        funds = lock_funds(getattr(movement, "fund_id", None), new_fund.pk if new_fund is not None else None)
        changes = apply_fields(movement, data)
        movement.full_clean()
        if current is None:
            movement.save()
        save_changed(movement, changes, created=current is None)
        for fund in funds:
            check_fund_balance(fund)
        return movement

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def _movement_delete(*, actor, instance, expected_version) -> None:
    with transaction.atomic():
        locked = []
        tracked_delete(
            actor=actor,
            instance=instance,
            expected_version=expected_version,
            check=lambda movement: locked.extend(lock_funds(movement.fund_id)),
        )
        for fund in locked:
            check_fund_balance(fund)


_CONTRIBUTION_FIELDS = ("fund", "contributor", "received_on", "amount", "note")
_ALLOCATION_FIELDS = ("fund", "allocated_on", "amount", "province", "corridor", "key_area", "project", "purpose")


def fund_contribution_save(
    *, actor, instance: FundContribution | None = None, data: dict, expected_version=None
) -> FundContribution:
    """Record money paid in, or change its amount or date (never leaving the fund overdrawn)."""
    data = {key: value for key, value in data.items() if key in _CONTRIBUTION_FIELDS}
    return _movement_save(
        FundContribution, actor=actor, instance=instance, data=data, expected_version=expected_version
    )


def fund_contribution_delete(*, actor, instance: FundContribution, expected_version=None) -> None:
    """Remove a contribution, unless allocations already spent it (409)."""
    _movement_delete(actor=actor, instance=instance, expected_version=expected_version)


def fund_allocation_save(
    *, actor, instance: FundAllocation | None = None, data: dict, expected_version=None
) -> FundAllocation:
    """Record money paid out to a corridor, key area or project in one province (never beyond the balance)."""
    data = {key: value for key, value in data.items() if key in _ALLOCATION_FIELDS}
    return _movement_save(FundAllocation, actor=actor, instance=instance, data=data, expected_version=expected_version)


def fund_allocation_delete(*, actor, instance: FundAllocation, expected_version=None) -> None:
    _movement_delete(actor=actor, instance=instance, expected_version=expected_version)
