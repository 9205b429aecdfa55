"""Stored files (attachments, documents, review packs) served to signed-in users who may see their record.

Nothing under ``MEDIA_ROOT`` is served publicly: ``MEDIA_URL`` leads here, with a session or a
token. In production the tracker only decides: with ``MEDIA_ACCEL_REDIRECT`` set it answers with
an ``X-Accel-Redirect`` and nginx sends the file from an internal location (docs/production.md).
"""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from projects.core.files import owner

# Shown in the browser; anything else is downloaded, never rendered as a page of the site.
INLINE = {"image/jpeg", "image/png", "image/webp"}


def file_response(name: str, *, filename: str | None = None):
    """The stored file ``name`` as a download (inline for photos), through nginx when configured."""
    filename = filename or PurePosixPath(name).name
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = "inline" if content_type in INLINE else "attachment"
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
        return response
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(handle, as_attachment=disposition == "attachment", filename=filename, content_type=content_type)


class StoredFileView(APIView):
    """GET ``MEDIA_URL<name>``: the file, if a record the user may see names it; else 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request, name: str):
        if ".." in PurePosixPath(name).parts or owner(request.user, name) is None:
            raise Http404(_("No such file."))
        return file_response(name)
