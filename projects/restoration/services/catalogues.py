"""The indicator catalogue: how each indicator adds up, checked before it is saved."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.core.services import apply_fields, save_changed, set_relations, tracked_save
from projects.restoration.choices import Aggregation
from projects.restoration.models import Indicator, IndicatorValue
from projects.restoration.units import convertible


def check_derivation(indicator: Indicator, *, refuse_reported: bool = True) -> None:
    """A derived indicator adds up reported indicators whose units convert to its own; it is not
    itself reported, nor a component of another one. ``refuse_reported``: values already stored
    on it refuse the derivation (the reference loader states it anyway; they are ignored)."""
    components = list(indicator.components.all())
    if components:
        if indicator.aggregation != Aggregation.SUM:
            raise ValidationError({"aggregation": _("A derived indicator adds up its components: use “sum”.")})
        nested = [c.code for c in components if c.pk == indicator.pk or c.components.exists()]
        if nested:
            raise ValidationError(
                {"components": _("A component cannot itself be derived: %(codes)s.") % {"codes": ", ".join(nested)}}
            )
        if indicator.derived.exists():
            raise ValidationError({"components": _("A component of another indicator cannot be derived.")})
        stray = [f"{c.code} ({c.unit})" for c in components if not convertible(c.unit, indicator.unit)]
        if stray:
            raise ValidationError(
                {
                    "components": _("These units do not convert to %(unit)s: %(codes)s.")
                    % {"unit": indicator.unit, "codes": ", ".join(stray)}
                }
            )
        if refuse_reported and IndicatorValue.objects.filter(indicator=indicator).exists():
            raise ValidationError(
                {"components": _("Values were reported on this indicator; it cannot become derived.")}
            )
    for derived in indicator.derived.all():
        if not convertible(indicator.unit, derived.unit):
            raise ValidationError(
                {
                    "unit": _("%(derived)s adds this indicator up in %(unit)s; keep a unit that converts to it.")
                    % {"derived": derived.code, "unit": derived.unit}
                }
            )


def indicator_save(*, actor, instance: Indicator | None = None, data: dict, expected_version=None) -> Indicator:
    """Create or change an indicator (the joint office); its rules across projects and its
    derivation are checked together."""

    def write(current: Indicator | None) -> Indicator:
        indicator = current if current is not None else Indicator()
        changes = apply_fields(indicator, data)
        indicator.full_clean()
        if current is None:
            indicator.save()
        set_relations(indicator, changes)
        check_derivation(indicator)
        save_changed(indicator, changes, created=current is None)
        return indicator

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)
