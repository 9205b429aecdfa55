"""Reporting discipline across projects: who has not reported (``/api/v1/reporting-compliance/``).

The figures come from ``projects.restoration.compliance``; this only checks the query and shapes
the answer for the schema.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.permissions import visible
from projects.restoration.compliance import STATUS_LABELS, reporting_compliance
from projects.restoration.models import Project
from projects.restoration.models.reports import PERIOD_PATTERN


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
