"""The restoration API: declarative viewsets on the one convention (``api.viewsets``)."""

import datetime

from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import kept_figures
from api.computed import ReportComparisonSerializer
from api.geojson import GeoJSONMixin
from api.imports import ImportMixin, is_uuid
from api.parsers import UploadParser
from api.restoration import filters, serializers
from api.viewsets import TrackedViewSet, TransitionMixin, transition_body
from projects.core.choices import ImportResource
from projects.restoration import services
from projects.restoration.choices import ParticipationStatus, ProjectStatus, ReportStatus
from projects.restoration.comparison import compare_with_last_accepted
from projects.restoration.models import (
    EcosystemElement,
    FundingSource,
    Indicator,
    IndicatorValue,
    MeasureType,
    ParticipationRequest,
    ProgressReport,
    Project,
    ReportAttachment,
    ReportInvestment,
    ShorelineSegment,
)
from projects.restoration.progress import project_progress

_CATALOGUE_SEARCH = ["code", "name_zh", "name_en"]


class EcosystemElementViewSet(TrackedViewSet):
    """山 水 林 田 湖 草 沙."""

    queryset = EcosystemElement.objects.all()
    serializer_class = serializers.EcosystemElementSerializer
    search_fields = _CATALOGUE_SEARCH
    ordering_fields = ["sort_order", "code"]


class MeasureTypeViewSet(TrackedViewSet):
    """The catalogue of restoration measures (editable by the joint office)."""

    queryset = MeasureType.objects.all()
    serializer_class = serializers.MeasureTypeSerializer
    search_fields = _CATALOGUE_SEARCH
    filterset_fields = ["is_active"]
    ordering_fields = ["code", "name_zh"]


class FundingSourceViewSet(TrackedViewSet):
    queryset = FundingSource.objects.all()
    serializer_class = serializers.FundingSourceSerializer
    search_fields = _CATALOGUE_SEARCH
    ordering_fields = ["sort_order", "code"]


class IndicatorViewSet(TrackedViewSet):
    """Performance indicators (绩效指标) and how their values add up."""

    queryset = Indicator.objects.select_related("element").prefetch_related("components")
    serializer_class = serializers.IndicatorSerializer
    search_fields = _CATALOGUE_SEARCH
    filterset_fields = ["aggregation", "combination"]
    ordering_fields = ["code", "name_zh"]
    save_service = staticmethod(services.indicator_save)

    @extend_schema(
        parameters=[serializers.TotalsQuerySerializer, kept_figures.COMPUTED_AT],
        responses=serializers.IndicatorTotalsSerializer,
    )
    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Every indicator's figure per province or per corridor (and over all projects), combined
        across projects as the catalogue says, with the recorded shoreline; see docs/figures.md."""
        query = serializers.TotalsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year")
        window = (datetime.date(year, 1, 1), datetime.date(year, 12, 31)) if year else (None, None)
        asked = query.validated_data
        return kept_figures.answer(
            kept_figures.totals(
                by=asked["by"],
                start=window[0],
                end=window[1],
                detail=asked["detail"],
                encoded=True,
                reader=request.user,
            )
        )


class ProjectViewSet(GeoJSONMixin, ImportMixin, TransitionMixin, TrackedViewSet):
    """Restoration projects. Status changes: ``POST …/transition/``."""

    queryset = Project.objects.for_api()
    import_resource = ImportResource.PROJECTS
    geo_field = "geometry"
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "name_zh", "status", "planned_start", "total_budget", "updated_at"]
    ordering = ["code"]
    save_service = staticmethod(services.project_save)
    delete_service = staticmethod(services.project_delete)
    transition_service = staticmethod(services.project_transition)
    transition_serializer = transition_body("ProjectTransitionSerializer", ProjectStatus)
    import_rows_columns = {
        "target:": ("targets", "indicator", "target_value"),
        "funding:": ("funding", "source", "amount"),
    }

    def import_match(self, data):
        return Q(code=data["code"]) if data.get("code") else None

    @extend_schema(responses=serializers.ProjectProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Latest progress, cumulative figures against targets and overdue periods."""
        return Response(serializers.ProjectProgressSerializer(project_progress(self.get_object())).data)


class ParticipationRequestViewSet(TransitionMixin, TrackedViewSet):
    """Requests that an organization join, leave or take the lead of a project, decided by the other
    side: ``transition`` to accepted or declined (the deciding province), withdrawn (the requester)."""

    queryset = ParticipationRequest.objects.select_related(
        "project",
        "organization__province",
        "requested_by",
        "decided_by",
        "requesting_province",
        "deciding_province",
    )
    serializer_class = serializers.ParticipationRequestSerializer
    filterset_fields = ["status", "kind", "project"]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "head", "options"]
    save_service = staticmethod(services.participation_request)
    transition_service = staticmethod(services.participation_transition)
    transition_serializer = transition_body("ParticipationTransitionSerializer", ParticipationStatus)


class ProgressReportViewSet(ImportMixin, TransitionMixin, TrackedViewSet):
    """Progress reports (进展报告): drafted, then ``transition`` to submitted, accepted or returned."""

    import_resource = ImportResource.PROGRESS_REPORTS

    queryset = ProgressReport.objects.select_related("project", "reported_by", "reviewed_by").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")),
        Prefetch("investment", queryset=ReportInvestment.objects.select_related("source")),
        Prefetch("attachments", queryset=ReportAttachment.objects.select_related("uploaded_by")),
    )
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = filters.ProgressReportFilter
    search_fields = ["project__code", "project__name_zh", "narrative"]
    ordering_fields = ["period_end", "project__code", "updated_at", "status"]
    ordering = ["project__code", "-period_end"]
    save_service = staticmethod(services.report_save)
    create_many_service = staticmethod(services.report_create_many)
    delete_service = staticmethod(services.report_delete)

    def shared(self, queryset):
        # Unsubmitted drafts are their authors' work in progress: shown when asked for.
        params = self.request.query_params
        asked = params.get("include_drafts", "").lower() in ("true", "1") or ReportStatus.DRAFT in params.getlist(
            "status"
        )
        return queryset if asked else queryset.exclude(status=ReportStatus.DRAFT)

    transition_service = staticmethod(services.report_transition)
    transition_serializer = transition_body("ReportTransitionSerializer", ReportStatus)
    import_rows_columns = {
        "value:": ("values", "indicator", "value"),
        "investment:": ("investment", "source", "amount"),
    }

    def import_match(self, data):
        # One report per project and period: the project by id or code.
        project, period = str(data.get("project") or ""), data.get("period")
        if not project or not period:
            return None
        named = Q(project__code=project)
        if is_uuid(project):
            named |= Q(project__pk=project)
        return named & Q(period=period)

    def import_key(self, validated):
        return validated["project"].pk, validated.get("period")

    def import_keys_stored(self, keys):
        if not keys:
            return set()
        stored = (
            self.get_queryset()
            .prefetch_related(None)
            .filter(
                project_id__in={project for project, _period in keys}, period__in={period for _project, period in keys}
            )
        )
        return set(stored.order_by().values_list("project_id", "period")) & keys

    @extend_schema(request=serializers.AttachmentUploadSerializer, responses={201: serializers.AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[UploadParser, parsers.FormParser])
    def attachments(self, request, pk=None):
        """Attach a photo or document to a draft or returned report (multipart: kind, title, file)."""
        report = self.get_object()
        # Refused before the body is read: nothing of a refused upload is written, even to a spool file.
        services.report_attach_check(actor=request.user, report=report)
        body = serializers.AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.report_attach(report=report, actor=request.user, **body.validated_data)
        return Response(
            serializers.AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=ReportComparisonSerializer)
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None):
        """What changed since the project's last accepted report: indicator values (per period and
        absolute), investment in all and per funding source, the narrative as a diff, attachments
        added or removed, and the figures that fell (``went_backwards``)."""
        return Response(ReportComparisonSerializer(compare_with_last_accepted(self.get_object())).data)


class ShorelineSegmentViewSet(GeoJSONMixin, TrackedViewSet):
    """Surveyed stretches of the corridors' banks (natural, restored, hardened), kept by the joint
    office and the responsible province's staff; lengths are measured from the lines."""

    # Brief references only: the corridors' and provinces' own geometries are never loaded.
    queryset = ShorelineSegment.objects.select_related("corridor", "province", "project").defer(
        "corridor__centreline", "province__outline"
    )
    serializer_class = serializers.ShorelineSegmentSerializer
    geo_field = "geometry"
    filterset_class = filters.ShorelineSegmentFilter
    ordering_fields = ["surveyed_on", "length_m", "updated_at"]
    save_service = staticmethod(services.shoreline_segment_save)
    delete_service = staticmethod(services.shoreline_segment_delete)
