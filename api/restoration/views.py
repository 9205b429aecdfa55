from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.mixins import HistoryMixin, TrackedWriteMixin
from api.restoration import filters, serializers
from projects.restoration import services
from projects.restoration.models import (
    EcosystemElement,
    FundingSource,
    Indicator,
    IndicatorValue,
    MeasureType,
    ProgressReport,
    Project,
)
from projects.restoration.progress import project_progress

_CATALOGUE_SEARCH = ["code", "name_zh", "name_en"]


class EcosystemElementViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """山 水 林 田 湖 草 沙."""

    queryset = EcosystemElement.objects.all()
    serializer_class = serializers.EcosystemElementSerializer
    search_fields = _CATALOGUE_SEARCH
    ordering_fields = ["sort_order", "code"]


class MeasureTypeViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """The catalogue of restoration measures (editable by the joint office)."""

    queryset = MeasureType.objects.all()
    serializer_class = serializers.MeasureTypeSerializer
    search_fields = _CATALOGUE_SEARCH
    filterset_fields = ["is_active"]
    ordering_fields = ["code", "name_zh"]


class FundingSourceViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    queryset = FundingSource.objects.all()
    serializer_class = serializers.FundingSourceSerializer
    search_fields = _CATALOGUE_SEARCH
    ordering_fields = ["sort_order", "code"]


class IndicatorViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Performance indicators (绩效指标) and how their values add up."""

    queryset = Indicator.objects.select_related("element")
    serializer_class = serializers.IndicatorSerializer
    search_fields = _CATALOGUE_SEARCH
    filterset_fields = ["aggregation"]
    ordering_fields = ["code", "name_zh"]


class ProjectViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Restoration projects. Writes go through ``projects.restoration.services``."""

    queryset = Project.objects.for_api()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "name_zh", "status", "planned_start", "total_budget", "updated_at"]
    ordering = ["code"]

    def _respond(self, project, status_code=status.HTTP_200_OK):
        project = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(project).data, status=status_code)

    @extend_schema(request=serializers.ProjectWriteSerializer, responses={201: serializers.ProjectSerializer})
    def create(self, request, *args, **kwargs):
        writer = serializers.ProjectWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        project = services.project_save(actor=request.user, data=writer.to_domain())
        return self._respond(project, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ProjectWriteSerializer, responses=serializers.ProjectSerializer)
    def update(self, request, *args, **kwargs):
        project = self.get_object()
        writer = serializers.ProjectWriteSerializer(project, data=request.data, partial=kwargs.get("partial", False))
        writer.is_valid(raise_exception=True)
        project = services.project_save(actor=request.user, data=writer.to_domain(), project=project)
        return self._respond(project)

    def perform_destroy(self, instance):
        from projects.core.services import delete_tracked

        delete_tracked(actor=self.request.user, instance=instance)

    @extend_schema(
        request=serializers.TransitionSerializer,
        responses={200: serializers.ProjectSerializer, 409: OpenApiResponse(description="Transition not allowed")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Change the status; a refused transition answers 409 naming the allowed ones."""
        body = serializers.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = services.project_transition(
            project=self.get_object(),
            to=body.validated_data["to"],
            actor=request.user,
            comment=body.validated_data["comment"],
        )
        return self._respond(project)

    @extend_schema(responses=serializers.ProjectProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Latest progress, cumulative figures against targets and overdue periods."""
        return Response(serializers.ProjectProgressSerializer(project_progress(self.get_object())).data)


class ProgressReportViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Progress reports (进展报告): drafted, submitted, then accepted or returned."""

    queryset = ProgressReport.objects.select_related("project", "reported_by", "reviewed_by").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")), "attachments"
    )
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = filters.ProgressReportFilter
    search_fields = ["project__code", "project__name_zh", "narrative"]
    ordering_fields = ["period_end", "project__code", "updated_at", "status"]
    ordering = ["project__code", "-period_end"]

    def _respond(self, report, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data, status=status_code)

    @extend_schema(
        request=serializers.ProgressReportWriteSerializer, responses={201: serializers.ProgressReportSerializer}
    )
    def create(self, request, *args, **kwargs):
        writer = serializers.ProgressReportWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        report = services.report_save(actor=request.user, data=writer.to_domain())
        return self._respond(report, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ProgressReportWriteSerializer, responses=serializers.ProgressReportSerializer)
    def update(self, request, *args, **kwargs):
        report = self.get_object()
        writer = serializers.ProgressReportWriteSerializer(
            report, data=request.data, partial=kwargs.get("partial", False)
        )
        writer.is_valid(raise_exception=True)
        report = services.report_save(actor=request.user, data=writer.to_domain(), report=report)
        return self._respond(report)

    def perform_destroy(self, instance):
        from projects.core.services import delete_tracked

        delete_tracked(actor=self.request.user, instance=instance)

    @extend_schema(request=None, responses=serializers.ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(services.report_submit(report=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.ReviewSerializer, responses=serializers.ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        body = serializers.ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_review(
            report=self.get_object(), actor=request.user, accept=True, comment=body.validated_data["comment"]
        )
        return self._respond(report)

    @extend_schema(request=serializers.ReviewSerializer, responses=serializers.ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_rework(self, request, pk=None):
        body = serializers.ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_review(
            report=self.get_object(), actor=request.user, accept=False, comment=body.validated_data["comment"]
        )
        return self._respond(report)

    @extend_schema(request=serializers.AttachmentUploadSerializer, responses={201: serializers.AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def attachments(self, request, pk=None):
        """Attach a photo or document (multipart: kind, title, file)."""
        body = serializers.AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.report_attach(report=self.get_object(), actor=request.user, **body.validated_data)
        return Response(
            serializers.AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
