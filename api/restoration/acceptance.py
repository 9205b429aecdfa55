"""Acceptance (验收) in the API: records with their group, targets against achievements and land-use
change; documents; the printable form; rectification items tracked to done."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.briefs import IndicatorRef, OrganizationRef, ProjectRef, UserRef
from api.conference.briefs import ExpertRef
from api.fields import AllowedTransitionsField, Ref
from api.restoration.serializers import TRACKED
from api.viewsets import TrackedViewSet, TransitionMixin, transition_body
from projects.restoration import services
from projects.restoration.acceptance_form import acceptance_pdf
from projects.restoration.choices import AcceptanceStatus, LandUseType, RectificationStatus
from projects.restoration.lifecycle import ACCEPTANCE_LIFECYCLE, RECTIFICATION_LIFECYCLE
from projects.restoration.models import (
    AcceptanceDocument,
    AcceptanceIndicator,
    AcceptanceMember,
    AcceptanceRecord,
    RectificationItem,
)


class AcceptanceMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    organization_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    expert = ExpertRef(required=False, allow_null=True, default=None)
    is_leader = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("name") and not attrs.get("expert"):
            raise serializers.ValidationError({"name": _("Give the member's name, or the expert they are.")})
        return attrs


class AcceptanceIndicatorSerializer(serializers.Serializer):
    indicator = IndicatorRef()
    target_value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)
    achieved_value = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True, required=False)
    shortfall_reason = serializers.CharField(required=False, allow_blank=True, default="")


class LandUseChangeSerializer(serializers.Serializer):
    land_use = serializers.ChoiceField(choices=LandUseType.choices)
    area_before_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    area_after_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class AcceptanceDocumentSerializer(serializers.ModelSerializer):
    uploaded_by = UserRef(read_only=True)

    class Meta:
        model = AcceptanceDocument
        fields = ["id", "title", "file", "uploaded_by", "created_at"]
        read_only_fields = ["file", "created_at"]


class DocumentUploadSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    file = serializers.FileField()


class BriefRectificationSerializer(serializers.ModelSerializer):
    responsible_organization = OrganizationRef(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RectificationItem
        fields = ["id", "title", "responsible_organization", "due_date", "status", "completed_on", "is_overdue"]


class AcceptanceRecordSerializer(serializers.ModelSerializer):
    """An acceptance: recorded as a draft, concluded by ``transition`` (``to: concluded``). Without
    ``indicators`` a new record gets the project's targets and what its reports achieved."""

    project = ProjectRef()
    members = AcceptanceMemberSerializer(many=True, required=False)
    indicators = AcceptanceIndicatorSerializer(many=True, required=False)
    land_use = LandUseChangeSerializer(many=True, required=False)
    documents = AcceptanceDocumentSerializer(many=True, read_only=True)
    rectifications = BriefRectificationSerializer(many=True, read_only=True)
    recorded_by = UserRef(read_only=True)
    allowed_transitions = AllowedTransitionsField(ACCEPTANCE_LIFECYCLE)

    class Meta:
        model = AcceptanceRecord
        fields = [
            "id",
            "project",
            "kind",
            "subject",
            "accepted_on",
            "conclusion",
            "opinion",
            "members",
            "indicators",
            "land_use",
            "documents",
            "rectifications",
            "status",
            "allowed_transitions",
            "recorded_by",
            *TRACKED,
        ]
        read_only_fields = ["status"]


class RectificationItemSerializer(serializers.ModelSerializer):
    """Something an acceptance asks to put right, by a due date; ``transition`` to done (or open)."""

    record = Ref(queryset=AcceptanceRecord.objects.all(), help_text="The acceptance record's id")
    responsible_organization = OrganizationRef()
    is_overdue = serializers.BooleanField(read_only=True)
    allowed_transitions = AllowedTransitionsField(RECTIFICATION_LIFECYCLE)

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "record",
            "title",
            "description",
            "responsible_organization",
            "due_date",
            "status",
            "allowed_transitions",
            "completed_on",
            "is_overdue",
            *TRACKED,
        ]
        read_only_fields = ["status", "completed_on"]


class AcceptanceRecordViewSet(TransitionMixin, TrackedViewSet):
    """Acceptance records (验收记录) of projects: sub-project completion, unit evaluation, whole project."""

    queryset = AcceptanceRecord.objects.select_related("project", "recorded_by").prefetch_related(
        Prefetch("members", queryset=AcceptanceMember.objects.select_related("expert")),
        Prefetch("indicators", queryset=AcceptanceIndicator.objects.select_related("indicator")),
        "land_use",
        Prefetch("documents", queryset=AcceptanceDocument.objects.select_related("uploaded_by")),
        Prefetch(
            "rectifications",
            queryset=RectificationItem.objects.select_related("responsible_organization__province"),
        ),
    )
    serializer_class = AcceptanceRecordSerializer
    filterset_fields = ["project", "kind", "conclusion", "status"]
    search_fields = ["project__code", "project__name_zh", "subject"]
    ordering_fields = ["accepted_on", "updated_at"]
    save_service = staticmethod(services.acceptance_save)
    delete_service = staticmethod(services.acceptance_delete)
    transition_service = staticmethod(services.acceptance_transition)
    transition_serializer = transition_body("AcceptanceTransitionSerializer", AcceptanceStatus)

    @extend_schema(request=DocumentUploadSerializer, responses={201: AcceptanceDocumentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def documents(self, request, pk=None):
        """Attach a document (multipart: title, file): the signed form, minutes, experts' opinions."""
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = services.acceptance_attach(record=self.get_object(), actor=request.user, **body.validated_data)
        return Response(
            AcceptanceDocumentSerializer(document, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def form(self, request, pk=None):
        """The acceptance form as a PDF (in Chinese)."""
        record = self.get_object()
        response = HttpResponse(acceptance_pdf(record), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="acceptance-{record.project.code}.pdf"'
        return response


class RectificationItemViewSet(TransitionMixin, TrackedViewSet):
    """Rectification items (整改事项) of acceptances, open until done; ``?overdue=true`` for late ones."""

    queryset = RectificationItem.objects.select_related("record__project", "responsible_organization__province")
    serializer_class = RectificationItemSerializer
    filterset_fields = ["record", "status", "responsible_organization"]
    ordering_fields = ["due_date", "updated_at"]
    save_service = staticmethod(services.rectification_save)
    delete_service = staticmethod(services.rectification_delete)
    transition_service = staticmethod(services.rectification_transition)
    transition_serializer = transition_body("RectificationTransitionSerializer", RectificationStatus)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.request.query_params.get("overdue", "").lower() in ("true", "1"):
            queryset = queryset.filter(status=RectificationStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset
