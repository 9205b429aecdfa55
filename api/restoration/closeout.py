"""Reporting discipline across projects: who has not reported (``/api/v1/reporting-compliance/``).

The figures come from ``projects.restoration.compliance``; this only checks the query and shapes
the answer for the schema.
"""

import csv
import io
import json

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.core.spreadsheets import safe_cell
from projects.permissions import visible
from projects.restoration.compliance import STATUS_LABELS, reporting_compliance
from projects.restoration.models import Project
from projects.restoration.models.reports import PERIOD_PATTERN
from projects.restoration.upward import COLUMNS, restoration_area_rows


class ComplianceQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(
        PERIOD_PATTERN, required=False, help_text="YYYY-MM or YYYY-Qn (a project reports on its own kind)"
    )
    province = serializers.CharField(required=False, help_text="Province code of the reporting organization")
    corridor = serializers.SlugField(required=False, help_text="Corridor slug")
    organization = serializers.SlugField(required=False, help_text="Slug of the reporting (lead) organization")
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=list(STATUS_LABELS)),
        required=False,
        help_text="Repeatable; all statuses when absent",
    )
    as_of = serializers.DateField(required=False, help_text="The day to judge on (today by default)")


class _Named(serializers.Serializer):
    name = serializers.CharField()


class _ComplianceProject(_Named):
    id = serializers.UUIDField()
    code = serializers.CharField()


class _ComplianceOrganization(_Named):
    slug = serializers.CharField()


class _ComplianceProvince(_Named):
    code = serializers.CharField()


class _ComplianceCorridor(_Named):
    slug = serializers.CharField()


class ComplianceRowSerializer(serializers.Serializer):
    project = _ComplianceProject()
    organization = _ComplianceOrganization()
    province = _ComplianceProvince(allow_null=True)
    corridors = _ComplianceCorridor(many=True)
    period = serializers.CharField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=list(STATUS_LABELS))
    status_label = serializers.CharField()
    report = serializers.UUIDField(allow_null=True)
    days_overdue = serializers.IntegerField()


class ComplianceSummarySerializer(serializers.Serializer):
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_period = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    by_province = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    by_organization = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    by_corridor = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class ComplianceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = ComplianceRowSerializer(many=True)
    summary = ComplianceSummarySerializer()


class ReportingComplianceView(APIView):
    """Which progress reports are due, overdue or missing, per period, project, organization,
    province and corridor (projects in progress, on their own monthly or quarterly periods; a report
    is due 15 days after its period ends). See docs/closeout.md."""

    @extend_schema(parameters=[ComplianceQuerySerializer], responses=ComplianceSerializer)
    def get(self, request):
        query = ComplianceQuerySerializer(
            data={**request.query_params.dict(), "status": request.query_params.getlist("status")}
            if "status" in request.query_params
            else request.query_params.dict()
        )
        query.is_valid(raise_exception=True)
        options = dict(query.validated_data)
        today = options.pop("as_of", None) or timezone.localdate()
        statuses = options.pop("status", None)
        result = reporting_compliance(
            projects=visible(request.user, Project.objects.all()), today=today, statuses=statuses, **options
        )
        return Response(ComplianceSerializer(result).data)


# --- reporting upward: area under restoration (projects/restoration/upward.py) ---


class AreaReportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    province = serializers.CharField(required=False, help_text="Province code (of the lead organization)")
    corridor = serializers.SlugField(required=False, help_text="Corridor slug")


class AreaRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    project_code = serializers.CharField()
    project_name = serializers.CharField()
    ecosystem_type = serializers.CharField(help_text="Ecosystem element code (forest, grassland, lake, farmland …)")
    ecosystem_type_name = serializers.CharField()
    province_code = serializers.CharField()
    province_name = serializers.CharField()
    corridors = serializers.CharField(help_text="Corridor slugs, separated by ;")
    corridor_names = serializers.CharField()
    area_ha = serializers.CharField(help_text="Hectares, exact to 4 decimals")
    report_ids = serializers.CharField(help_text="The progress reports summed, separated by ;")
    project_id = serializers.UUIDField()


class AreaCsvRenderer(renderers.BaseRenderer):
    """One row per project, year and ecosystem type; every text cell through ``safe_cell``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, list):  # an error: its JSON body
            return json.dumps(data, ensure_ascii=False).encode()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        for row in data:
            writer.writerow([safe_cell(row[column]) for column in COLUMNS])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read UTF-8


class AreaGeoJsonRenderer(renderers.BaseRenderer):
    """A FeatureCollection: each row a feature with its project's shape (WGS 84) or no geometry."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, list):
            return json.dumps(data, ensure_ascii=False).encode()
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(row["geometry"].geojson) if row.get("geometry") else None,
                "properties": {column: row[column] for column in COLUMNS},
            }
            for row in data
        ]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


class RestorationAreaReportView(APIView):
    """Area under restoration by ecosystem type, province, corridor and year, in hectares, with the
    reports each figure sums and the projects' shapes: ``?format=csv`` or ``?format=geojson`` (JSON
    otherwise). See docs/reporting-upward.md for the FAO FERM and GBF indicator 2.2 mapping."""

    renderer_classes = [renderers.JSONRenderer, AreaCsvRenderer, AreaGeoJsonRenderer]

    @extend_schema(parameters=[AreaReportQuerySerializer], responses=AreaRowSerializer(many=True))
    def get(self, request):
        query = AreaReportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        options = query.validated_data
        projects = visible(request.user, Project.objects.all())
        if options.get("province"):
            projects = projects.filter(lead_organization__province__code=options["province"])
        if options.get("corridor"):
            projects = projects.filter(corridors__slug=options["corridor"]).distinct()
        rows = restoration_area_rows(projects=projects, year=options.get("year"))
        if getattr(request.accepted_renderer, "format", "json") == "json":
            rows = [{column: row[column] for column in COLUMNS} for row in rows]
        response = Response(rows)
        if request.accepted_renderer.format in ("csv", "geojson"):
            extension = request.accepted_renderer.format
            response["Content-Disposition"] = f'attachment; filename="restoration-area.{extension}"'
        return response
