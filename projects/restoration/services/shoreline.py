"""Shoreline segments: recorded and changed by the joint office or the responsible province's staff."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.core.services import apply_fields, save_changed, tracked_delete, tracked_save
from projects.restoration.models import ShorelineSegment

_WRITABLE = ("corridor", "province", "bank", "state", "geometry", "project", "surveyed_on", "description")


def shoreline_segment_save(
    *, actor, instance: ShorelineSegment | None = None, data: dict, expected_version=None
) -> ShorelineSegment:
    """Record a stretch of bank (``instance`` None) or change one; its length is measured from the line.

    The permission rule is asked before and after the write, so a province cannot hand a segment
    to another province (or take one over) on its own.
    """
    fields = {key: value for key, value in data.items() if key in _WRITABLE}
    line = fields.get("geometry")
    if line is not None and line.geom_type != "LineString":
        raise ValidationError({"geometry": _("Draw the stretch of bank as one line (a LineString).")})

    def write(current: ShorelineSegment | None) -> ShorelineSegment:
        segment = current if current is not None else ShorelineSegment()
        changes = apply_fields(segment, fields)
        if "geometry" in changes.names or current is None:
            segment.measure_length()
        segment.full_clean()
        if current is None:
            segment.save()
        save_changed(segment, changes, created=current is None)
        return segment

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("corridor",)
    )


def shoreline_segment_delete(*, actor, instance: ShorelineSegment, expected_version=None) -> None:
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
