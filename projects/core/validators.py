"""Validation shared by every upload and geometry the tracker accepts."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".txt", ".odt", ".ods"}


def validate_attachment(upload, allowed_extensions=PHOTO_EXTENSIONS | DOCUMENT_EXTENSIONS) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in allowed_extensions:
        raise ValidationError(
            _("File type %(suffix)s is not accepted. Accepted: %(allowed)s."),
            code="file_type",
            params={"suffix": suffix or "?", "allowed": ", ".join(sorted(allowed_extensions))},
        )
    if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("File is too large (%(size)d MB); the limit is %(limit)d MB."),
            code="file_size",
            params={"size": upload.size // (1024 * 1024), "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )


def validate_geometry(geometry) -> None:
    """Refuse invalid or out-of-range geometries before they reach the database."""
    if geometry is None:
        return
    if geometry.empty:  # an empty geometry has no extent
        raise ValidationError(_("The geometry has no coordinates."), code="empty_geometry")
    if geometry.srid not in (None, 4326):
        raise ValidationError(_("Geometries must be in WGS 84 (EPSG:4326)."), code="srid")
    if not geometry.valid:
        raise ValidationError(
            _("The geometry is not valid: %(reason)s"),
            code="invalid_geometry",
            params={"reason": geometry.valid_reason},
        )
    xmin, ymin, xmax, ymax = geometry.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise ValidationError(_("Coordinates must be longitude/latitude in degrees."), code="extent")
