"""Validation shared by every upload and geometry the tracker accepts."""

import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".txt", ".odt", ".ods"}


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls (Office 97–2003)
# A member every file of the kind carries: a .docx renamed .xlsx, or any zip, is refused.
ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".odt": "mimetype", ".ods": "mimetype"}
MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def _content_matches(head: bytes, suffix: str, upload) -> bool:
    """Whether the first bytes are those of a ``suffix`` file (magic numbers, not the name)."""
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix in (".doc", ".xls"):
        return head.startswith(OLE2)
    if suffix in ZIP_MEMBERS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                return ZIP_MEMBERS[suffix] in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    if suffix in (".txt", ".csv"):
        # Plain text: no NUL byte, readable as UTF-8 or GB 18030, and not a web page in disguise.
        if b"\x00" in head or head.lstrip().lower().startswith(MARKUP):
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                    return True
        return False
    return False


def validate_content(upload, suffix: str) -> None:
    """Refuse a file whose content is not of the type its name says (an HTML page named .pdf)."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(8192)
        matches = _content_matches(head, suffix, upload)
    finally:
        upload.seek(position)
    if not matches:
        raise ValidationError(
            _("The file's content is not a %(suffix)s file."), code="file_content", params={"suffix": suffix}
        )


# Room for the other fields and the multipart framing around the largest accepted file.
FORM_OVERHEAD = 64 * 1024


def validate_upload_length(content_length: int) -> None:
    """Refuse a request body too large to hold an accepted file, from its announced length, before
    a byte of it is read."""
    if content_length > settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD:
        raise ValidationError(
            _("File is too large (%(size)d MB); the limit is %(limit)d MB."),
            code="file_size",
            params={"size": content_length // (1024 * 1024), "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )


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
    if not getattr(upload, "_committed", False):  # a new upload; a stored file was checked when it came
        validate_content(upload, suffix)


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
