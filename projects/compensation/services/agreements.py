"""Writes of settlement rules and compensation agreements.

A confirmed settlement freezes the terms it used (``locks``): a rule's figures, an agreement's
terms. A changed agreement is then a new version (``agreement_revise``): a draft copying the
terms with the changes applied, which supersedes the old version once it is put in force.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.compensation.choices import AgreementStatus
from projects.compensation.lifecycle import AGREEMENT_LIFECYCLE
from projects.compensation.models import CompensationAgreement, SettlementRule
from projects.compensation.models.agreements import decimals_as_text
from projects.compensation.services.locks import AGREEMENT_TERMS, refuse_agreement_change, refuse_rule_change
from projects.core.services import (
    apply_fields,
    check_version,
    lock,
    save_changed,
    set_relations,
    tracked_delete,
    tracked_save,
    tracked_transition,
)

REVISED = "compensation.compensationagreement.revised"

_RULE_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "kind",
    "amount_met",
    "amount_missed",
    "parameters",
    "max_amount",
    "document",
    "source_url",
    "source_note",
    "verified",
)


def rule_save(*, actor, instance: SettlementRule | None = None, data: dict, expected_version=None) -> SettlementRule:
    """Create or change a settlement rule; its parameters are checked and stored as exact decimal
    text. The figures of a rule a confirmed settlement used do not change (409): write a new rule."""
    fields = {key: value for key, value in data.items() if key in _RULE_FIELDS}
    if "parameters" in fields:  # numbers as decimal text before anything reads them as JSON
        fields["parameters"] = decimals_as_text(fields["parameters"] or {})

    def write(current):
        rule = current if current is not None else SettlementRule()
        changes = apply_fields(rule, fields)
        parameters_before = current.parameters if current is not None else None
        rule.full_clean()  # normalises the parameters (``SettlementRule.clean``)
        changes.add("parameters", current is not None and rule.parameters != parameters_before)
        if current is not None:
            refuse_rule_change(current, changes.names)
        if current is None:
            rule.save()
        save_changed(rule, changes, created=current is None)
        return rule

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def rule_delete(*, actor, instance: SettlementRule, expected_version=None) -> None:
    """Delete a rule no agreement uses (the database protects the others: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


# Lifecycle-owned, or fixed when the version is made: never set through a save.
_AGREEMENT_NOT_WRITABLE = ("status", "supersedes")


def _relations_changing(agreement, changes) -> set:
    return {
        name
        for name, values in changes.relations.items()
        if agreement.pk is None
        or set(getattr(agreement, name).values_list("pk", flat=True)) != {value.pk for value in values}
    }


def agreement_save(
    *, actor, instance: CompensationAgreement | None = None, data: dict, expected_version=None
) -> CompensationAgreement:
    """Create or change an agreement (its sections included); the status changes by transition.
    Once a settlement of it is confirmed, its terms do not change (409): revise it instead."""
    fields = {key: value for key, value in data.items() if key not in _AGREEMENT_NOT_WRITABLE}

    def write(current):
        agreement = current if current is not None else CompensationAgreement()
        changes = apply_fields(agreement, fields)
        if current is not None:
            refuse_agreement_change(current, changes.names | _relations_changing(current, changes))
        agreement.full_clean()
        if current is None:
            agreement.save()
        set_relations(agreement, changes)
        save_changed(agreement, changes, created=current is None)
        return agreement

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def _next_code(agreement: CompensationAgreement) -> str:
    base, number = agreement.code, 2
    while CompensationAgreement.objects.filter(code=f"{base}-v{number}").exists():
        number += 1
    return f"{base}-v{number}"[:60]


def agreement_revise(
    *, actor, instance: CompensationAgreement, data: dict, expected_version=None
) -> CompensationAgreement:
    """A new version of an agreement: a draft copying its terms, with ``data`` applied (a new
    ``code`` by default ``<code>-v2``). It supersedes the old version once put in force; the old
    version's settlements keep pointing at it."""

    def write(_current):
        old = lock(instance)
        check_version(old, expected_version)
        if CompensationAgreement.objects.filter(supersedes=old).exists():
            raise ValidationError({"supersedes": _("This agreement already has a newer version; revise that one.")})
        copied = {
            name: getattr(old, name)
            for name in (*AGREEMENT_TERMS, "name_zh", "name_en", "river", "corridor")
            if name != "sections"
        }
        fields = {key: value for key, value in data.items() if key not in _AGREEMENT_NOT_WRITABLE}
        fields.setdefault("code", _next_code(old))
        agreement = CompensationAgreement(supersedes=old, status=AgreementStatus.DRAFT)
        changes = apply_fields(agreement, {**copied, **fields})
        changes.relations.setdefault("sections", list(old.sections.all()))
        agreement.full_clean()
        agreement.save()
        set_relations(agreement, changes)
        return agreement

    return tracked_save(actor=actor, instance=None, write=write, event=REVISED)


def agreement_transition(
    *, actor, instance: CompensationAgreement, to: str, comment: str = "", expected_version=None
) -> CompensationAgreement:
    """Put in force, let expire or terminate an agreement, as its lifecycle allows. A new version
    put in force supersedes the version before it (which then settles no further periods)."""
    with transaction.atomic():
        agreement = tracked_transition(
            actor=actor,
            instance=instance,
            lifecycle=AGREEMENT_LIFECYCLE,
            to=to,
            comment=comment,
            expected_version=expected_version,
        )
        old = agreement.supersedes
        if to == AgreementStatus.IN_FORCE and old is not None and old.status == AgreementStatus.IN_FORCE:
            tracked_transition(
                actor=actor,
                instance=old,
                lifecycle=AGREEMENT_LIFECYCLE,
                to=AgreementStatus.SUPERSEDED,
                comment=agreement.code,
            )
        return agreement


def agreement_delete(*, actor, instance: CompensationAgreement, expected_version=None) -> None:
    """Delete an agreement that has no settlements (the database protects them: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
