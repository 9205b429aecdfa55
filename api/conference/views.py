"""The joint conference's API: declarative viewsets on the one convention (``api.viewsets``).

Reads ask the permission rule (``visible``, prefetched reviews included); writes go from the
resource's serializer to the service in ``projects.conference.services``; status changes go through
``POST …/{id}/transition/``.
"""

from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import computed, kept_figures
from api.conditional import expected_version
from api.conference import filters, serializers
from api.files import file_response
from api.viewsets import TrackedReadOnlyViewSet, TrackedViewSet, TransitionMixin
from projects.conference import services
from projects.conference.choices import PackStatus
from projects.conference.models import (
    ActionItem,
    AnnualPlan,
    CorridorPlan,
    CorridorTarget,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanAmendment,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanTransition,
    ReviewPack,
)
from projects.core.models import Organization
from projects.permissions import visible

AS_OF = OpenApiParameter("as_of", str, description="YYYY-MM-DD; today when left out")


def _as_of(request):
    value = request.query_params.get("as_of")
    if not value:
        return None
    try:
        return drf_serializers.DateField().to_internal_value(value)
    except drf_serializers.ValidationError as exc:
        raise ValidationError({"as_of": exc.detail}) from exc


def _visible_reviews(request):
    # Only the reviews this user may see (experts: their own; others: submitted ones).
    return visible(request.user, ExpertReview.objects.select_related("expert"))


class MeetingViewSet(TransitionMixin, TrackedViewSet):
    """Joint conference meetings (联席会议). Transitions: planned → held → minutes_approved."""

    queryset = Meeting.objects.for_api()
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter
    search_fields = ["place", "minutes"]
    ordering_fields = ["sequence_no", "date"]
    save_service = staticmethod(services.meeting_save)
    delete_service = staticmethod(services.meeting_delete)
    transition_service = staticmethod(services.meeting_transition)
    transition_serializer = serializers.MeetingTransitionSerializer

    @extend_schema(
        methods=["post"],
        request=serializers.ReviewPackRequestSerializer,
        responses={202: serializers.ReviewPackSerializer},
    )
    @extend_schema(methods=["get"], responses=serializers.ReviewPackSerializer)
    @action(detail=True, methods=["get", "post"], url_path="review-pack")
    def review_pack(self, request, pk=None):
        """POST: start building the meeting's review pack (202 at once, ``Location`` to poll); GET: the
        latest pack's state."""
        meeting = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            pack = meeting.review_packs.select_related("meeting", "plan", "requested_by").first()
            if pack is None:
                raise NotFound(_("No review pack yet."))
            return Response(serializers.ReviewPackSerializer(pack, context=context).data)
        body = serializers.ReviewPackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack, _created = services.review_pack_request(
            actor=request.user, meeting=meeting, as_of=body.validated_data.get("as_of")
        )
        # A plain string: a real server refuses header values of any other type (the serializer's
        # ``url`` is a str subclass).
        location = request.build_absolute_uri(reverse("reviewpack-detail", args=[pack.pk]))
        data = serializers.ReviewPackSerializer(pack, context=context).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class DecisionViewSet(TrackedViewSet):
    """Decisions (决议) of held meetings, each with its follow-up actions."""

    queryset = Decision.objects.select_related("meeting").prefetch_related(
        Prefetch("actions", queryset=ActionItem.objects.select_related("responsible_organization__province"))
    )
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilter
    search_fields = ["title", "text"]
    ordering_fields = ["meeting__sequence_no", "number"]
    save_service = staticmethod(services.decision_save)
    delete_service = staticmethod(services.decision_delete)


class ActionItemViewSet(TransitionMixin, TrackedViewSet):
    """Follow-up actions (督办事项). ``?unfinished=true`` for open and overdue ones."""

    queryset = ActionItem.objects.for_api()
    serializer_class = serializers.ActionItemSerializer
    filterset_class = filters.ActionItemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_date", "status", "updated_at"]
    save_service = staticmethod(services.action_item_save)
    delete_service = staticmethod(services.action_item_delete)
    transition_service = staticmethod(services.action_item_transition)
    transition_serializer = serializers.ActionTransitionSerializer

    @extend_schema(methods=["get"], responses=serializers.ActionUpdateSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=serializers.ActionReportSerializer,
        responses={201: serializers.ActionUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        """The action's record of updates, newest first; POST adds a progress note (``text``)."""
        item = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            body = serializers.ActionReportSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            update = services.action_item_report(
                actor=request.user,
                instance=item,
                text=body.validated_data["text"],
                expected_version=expected_version(request),
            )
            return Response(
                serializers.ActionUpdateSerializer(update, context=context).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(item.updates.select_related("author"))
        return self.get_paginated_response(serializers.ActionUpdateSerializer(page, many=True, context=context).data)


class AnnualPlanViewSet(TransitionMixin, TrackedViewSet):
    """Annual implementation plans (年度实施计划) and their lifecycle (draft → submitted → approved/returned)."""

    queryset = (
        AnnualPlan.objects.select_related("meeting")
        .annotate(item_count=Count("items"), planned_investment=Sum("items__planned_investment"))
        .prefetch_related(
            Prefetch("amendments", queryset=PlanAmendment.objects.select_related("opened_by", "approved_meeting")),
            Prefetch("transitions", queryset=PlanTransition.objects.select_related("actor", "meeting")),
        )
        .order_by("-year")  # the annotation's GROUP BY drops the default ordering
    )
    serializer_class = serializers.AnnualPlanSerializer
    filterset_class = filters.AnnualPlanFilter
    ordering_fields = ["year"]
    save_service = staticmethod(services.plan_save)
    delete_service = staticmethod(services.plan_delete)
    transition_service = staticmethod(services.plan_transition)
    transition_serializer = serializers.PlanTransitionSerializer

    def get_queryset(self):
        reviews = Prefetch("expert_reviews", queryset=_visible_reviews(self.request), to_attr="visible_reviews")
        return super().get_queryset().prefetch_related(reviews)

    def transition_arguments(self, body: dict) -> dict:
        return body  # meeting, item_comments, reason

    @extend_schema(parameters=[AS_OF, kept_figures.COMPUTED_AT], responses=computed.PlanExecutionSerializer)
    @action(detail=True, methods=["get"])
    def execution(self, request, pk=None):
        """Planned against actual per item, per corridor and per province, and which items are behind."""
        plan, as_of = self.get_object(), _as_of(request) or timezone.localdate()
        return kept_figures.answer(
            kept_figures.plan_execution(plan=plan, as_of=as_of, encoded=True, reader=request.user)
        )


class PlanItemViewSet(TrackedViewSet):
    """Items of the annual plans (``?plan=<id>``), drafted by the proposing province's staff."""

    queryset = PlanItem.objects.select_related("project", "province", "plan").prefetch_related(
        Prefetch("funding", queryset=PlanItemFunding.objects.select_related("source")),
        Prefetch("targets", queryset=PlanItemTarget.objects.select_related("indicator")),
        "milestones",
    )
    serializer_class = serializers.PlanItemSerializer
    filterset_class = filters.PlanItemFilter
    search_fields = ["project__code", "project__name_zh", "description"]
    ordering_fields = ["project__code", "planned_investment", "updated_at"]
    save_service = staticmethod(services.plan_item_save)
    delete_service = staticmethod(services.plan_item_delete)

    def get_queryset(self):
        reviews = _visible_reviews(self.request)
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("project__expert_reviews", queryset=reviews, to_attr="visible_reviews"))
        )

    @extend_schema(request=serializers.MilestoneDoneSerializer, responses=serializers.PlanItemSerializer)
    @action(detail=True, methods=["post"])
    def milestone(self, request, pk=None):
        """Record the date a milestone (named by its title) was reached, or clear it with null; allowed
        in approved plans too (it is execution)."""
        body = serializers.MilestoneDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.plan_item_milestone_done(
            actor=request.user,
            instance=self.get_object(),
            expected_version=expected_version(request),
            **body.validated_data,
        )
        return self.respond(item)


class ExpertViewSet(TrackedViewSet):
    """Members of the expert committee (专家委员会). ``?in_term_on=YYYY-MM-DD`` for those in office."""

    queryset = Expert.objects.select_related("province", "user")
    serializer_class = serializers.ExpertSerializer
    filterset_class = filters.ExpertFilter
    search_fields = ["name", "field", "affiliation"]
    ordering_fields = ["name", "term_end"]
    save_service = staticmethod(services.expert_save)
    delete_service = staticmethod(services.expert_delete)


class ExpertReviewViewSet(TransitionMixin, TrackedViewSet):
    """Reviews the joint office asks of experts. Experts see and write only their own; others see
    submitted opinions. ``transition``: submitted (the expert) or back to requested."""

    queryset = ExpertReview.objects.for_api()
    serializer_class = serializers.ExpertReviewSerializer
    filterset_class = filters.ExpertReviewFilter
    search_fields = ["opinion", "question"]
    ordering_fields = ["created_at", "submitted_at", "score"]
    save_service = staticmethod(services.review_save)
    delete_service = staticmethod(services.review_delete)
    transition_service = staticmethod(services.review_transition)
    transition_serializer = serializers.ReviewTransitionSerializer


class ReviewPackViewSet(TrackedReadOnlyViewSet):
    """Review packs of meetings; request one with POST /meetings/{id}/review-pack/."""

    queryset = ReviewPack.objects.select_related("meeting", "plan", "requested_by")
    serializer_class = serializers.ReviewPackSerializer
    cache_representations = False  # its file links carry the request's host
    filterset_fields = ["meeting", "status"]
    ordering_fields = ["created_at"]

    def _file(self, kind):
        pack = self.get_object()
        field = getattr(pack, kind)
        if pack.status != PackStatus.READY or not field:
            return Response(
                {"detail": _("The review pack is not ready."), "status": pack.status}, status=status.HTTP_409_CONFLICT
            )
        return file_response(field.name)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        """Download the spreadsheet."""
        return self._file("xlsx")

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """Download the printable document."""
        return self._file("pdf")


class CorridorPlanViewSet(TrackedViewSet):
    """The "six rivers" corridor plan (2021–2035) with its per-corridor targets."""

    queryset = CorridorPlan.objects.prefetch_related(
        Prefetch("compiled_by", queryset=Organization.objects.select_related("province")),
        Prefetch("targets", queryset=CorridorTarget.objects.select_related("corridor", "indicator")),
    )
    serializer_class = serializers.CorridorPlanSerializer
    ordering_fields = ["start_year"]
    save_service = staticmethod(services.corridor_plan_save)
    delete_service = staticmethod(services.corridor_plan_delete)

    @extend_schema(parameters=[AS_OF, kept_figures.COMPUTED_AT], responses=computed.CorridorProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Each corridor's path toward its 2035 targets: achieved, planned this year, remaining."""
        corridor_plan, as_of = self.get_object(), _as_of(request) or timezone.localdate()
        return kept_figures.answer(
            kept_figures.corridor_progress(corridor_plan=corridor_plan, as_of=as_of, encoded=True, reader=request.user)
        )


class CorridorTargetViewSet(TrackedViewSet):
    """Targets of the corridor plan per corridor, indicator and year (2025, 2030, 2035)."""

    queryset = CorridorTarget.objects.select_related("plan", "corridor", "indicator")
    serializer_class = serializers.CorridorTargetSerializer
    filterset_fields = ["plan", "year"]
    ordering_fields = ["year"]
    save_service = staticmethod(services.corridor_target_save)
    delete_service = staticmethod(services.corridor_target_delete)
