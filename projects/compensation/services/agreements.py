"""Writes of settlement rules and compensation agreements."""

from projects.compensation.lifecycle import AGREEMENT_LIFECYCLE
from projects.compensation.models import CompensationAgreement, SettlementRule
from projects.compensation.models.agreements import decimals_as_text
from projects.core.services import (
    apply_fields,
    save_changed,
    set_relations,
    tracked_delete,
    tracked_save,
    tracked_transition,
)

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
    """Create or change a settlement rule; its parameters are checked and stored as exact decimal text."""
    fields = {key: value for key, value in data.items() if key in _RULE_FIELDS}
    if "parameters" in fields:  # numbers as decimal text before anything reads them as JSON
        fields["parameters"] = decimals_as_text(fields["parameters"] or {})

    def write(current):
        rule = current if current is not None else SettlementRule()
        changes = apply_fields(rule, fields)
        parameters_before = rule.parameters
        rule.full_clean()  # normalises the parameters (``SettlementRule.clean``)
        changes.add("parameters", rule.parameters != parameters_before)
        if current is None:
            rule.save()
        save_changed(rule, changes, created=current is None)
        return rule

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def rule_delete(*, actor, instance: SettlementRule, expected_version=None) -> None:
    """Delete a rule no agreement uses (the database protects the others: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


# Lifecycle-owned or derived: never set through a save.
_AGREEMENT_NOT_WRITABLE = ("status",)


def agreement_save(
    *, actor, instance: CompensationAgreement | None = None, data: dict, expected_version=None
) -> CompensationAgreement:
    """Create or change an agreement (its sections included); the status changes by transition."""
    fields = {key: value for key, value in data.items() if key not in _AGREEMENT_NOT_WRITABLE}

    def write(current):
        agreement = current if current is not None else CompensationAgreement()
        changes = apply_fields(agreement, fields)
        agreement.full_clean()
        if current is None:
            agreement.save()
        set_relations(agreement, changes)
        save_changed(agreement, changes, created=current is None)
        return agreement

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def agreement_transition(
    *, actor, instance: CompensationAgreement, to: str, comment: str = "", expected_version=None
) -> CompensationAgreement:
    """Put in force, let expire or terminate an agreement, as its lifecycle allows."""
    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=AGREEMENT_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
    )


def agreement_delete(*, actor, instance: CompensationAgreement, expected_version=None) -> None:
    """Delete an agreement that has no settlements (the database protects them: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
