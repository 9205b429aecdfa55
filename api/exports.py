"""``GET …/export/?format=csv|xlsx|geojson&<the list's filters>``: a whole list as a file.

The rows are the list's (the same rule, shared records and filters, no pages), read from the
database in chunks (``iterator(chunk_size=…)``) and written as they come: CSV and GeoJSON are
streamed to the client, XLSX is written row by row (openpyxl's write-only mode) to a temporary
file that is then streamed, so memory stays flat however long the list. CSV and XLSX show what
people read (translated headers, names beside the ids of references, choices by their label),
every text cell through ``safe_cell``; GeoJSON carries the representation itself.
"""

import csv
import itertools
import json
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from openpyxl import Workbook
from rest_framework import renderers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.utils.encoders import JSONEncoder

from api import representations
from api.geojson import as_feature
from api.tabular import columns_for
from projects.core.spreadsheets import safe_cell

CHUNK_SIZE = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _FileRenderer(renderers.BaseRenderer):
    """Chooses the file format; the file itself is streamed by the view, so only errors come
    here, and they are answered as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, cls=JSONEncoder, ensure_ascii=False).encode()


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = XLSX
    format = "xlsx"


class GeoJSONFileRenderer(_FileRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class _Echo:
    """A file whose ``write`` hands the line back, for ``csv.writer`` to stream."""

    def write(self, value):
        return value


def records(view, queryset):
    """Each row's representation (the list's serializer), fetched from the database in chunks:
    the kept ones from the representation cache, the others built (their prefetches run for
    those only) and kept."""
    if representations.kept(view):
        lookups = queryset._prefetch_related_lookups
        objects = queryset.prefetch_related(None).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(itertools.islice(objects, CHUNK_SIZE)):
            for item in representations.representations(view, chunk, lookups):
                yield item.decoded()
        return
    serializer = view.get_serializer()
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield serializer.to_representation(obj)


def csv_lines(columns, rows, language):
    with translation.override(language):
        writer = csv.writer(_Echo())
        # The byte-order mark makes spreadsheet programs read the file as UTF-8 (Chinese names).
        yield "\ufeff" + writer.writerow([c.label for c in columns])
        for row in rows:
            yield writer.writerow([safe_cell(c.cell(row)) for c in columns])


def geojson_chunks(rows, geo_field):
    yield '{"type": "FeatureCollection", "features": ['
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(as_feature(row, geo_field), cls=JSONEncoder, ensure_ascii=False)
    yield "]}"


def xlsx_file(columns, rows, title: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "export")
    sheet.append([c.label for c in columns])
    for row in rows:
        sheet.append([safe_cell(c.cell(row)) for c in columns])
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(target)
    target.seek(0)
    return target


class ExportMixin:
    """``export``: the list with its filters as CSV, XLSX or (spatial lists) GeoJSON."""

    @extend_schema(
        filters=True,
        responses={
            # CSV is text (generated clients read text/* as a string), the workbook bytes.
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV (UTF-8 with a byte-order mark)"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="An Excel workbook"),
        },
        description="The whole list with the same filters as a file: `format=csv` (the default), `xlsx`, "
        "or `geojson` on spatial lists. Headers and names in the reader's language, ids beside names.",
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[CSVRenderer, XLSXRenderer, GeoJSONFileRenderer],
        pagination_class=None,
    )
    def export(self, request, *args, **kwargs):
        """The list with its filters as a CSV, XLSX or GeoJSON file, streamed."""
        kind = request.accepted_renderer.format
        geo_field = getattr(self, "geo_field", None)
        if kind == "geojson" and geo_field is None:
            raise ValidationError({"format": [_("This list has no geometry: export it as CSV or XLSX.")]})
        queryset = self.filter_queryset(self.shared(self.get_queryset()))
        rows = records(self, queryset)
        name = f"{self.basename}-{timezone.localdate():%Y%m%d}.{kind}"
        if kind == "geojson":
            response = StreamingHttpResponse(geojson_chunks(rows, geo_field), content_type="application/geo+json")
        else:
            columns = columns_for(self.get_serializer())
            if kind == "xlsx":
                title = str(queryset.model._meta.verbose_name_plural)
                return FileResponse(
                    xlsx_file(columns, rows, title), as_attachment=True, filename=name, content_type=XLSX
                )
            language = translation.get_language()
            response = StreamingHttpResponse(csv_lines(columns, rows, language), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
