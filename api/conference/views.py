"""The joint conference's API: declarative viewsets whose writes and transitions call the services."""

from django.db.models import Count, Prefetch, Sum
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.conference import filters, serializers
from api.mixins import HistoryMixin, TrackedWriteMixin
from projects.conference import services
from projects.conference.choices import PackStatus
from projects.conference.execution import corridor_progress, plan_execution
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
from projects.core.services import delete_tracked
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


class ServiceWriteMixin:
    """Creates and updates go through the domain's services; the answer shows the record as stored."""

    def create_through_service(self, data: dict):
        raise NotImplementedError

    def update_through_service(self, instance, data: dict):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self._reloaded(self.create_through_service(dict(serializer.validated_data)))

    def perform_update(self, serializer):
        obj = self.update_through_service(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self._reloaded(obj)

    def _reloaded(self, obj):
        return self.get_queryset().get(pk=obj.pk)


class MeetingViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Joint conference meetings (联席会议). Transitions: planned → held → minutes_approved."""

    queryset = Meeting.objects.for_api()
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter
    search_fields = ["place", "minutes"]
    ordering_fields = ["sequence_no", "date"]

    def _write(self, meeting, data):
        organizations = data.pop("attending_organizations", None)
        agenda = data.pop("agenda", None)
        return services.meeting_save(
            actor=self.request.user,
            meeting=meeting,
            data=data,
            attending_organizations=organizations,
            agenda=agenda,
        )

    def create_through_service(self, data):
        return self._write(None, data)

    def update_through_service(self, instance, data):
        return self._write(instance, data)

    def perform_destroy(self, instance):
        services.meeting_delete(actor=self.request.user, meeting=instance)

    @extend_schema(request=serializers.MeetingTransitionSerializer, responses=serializers.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the meeting on; 409 names the allowed targets when the move is refused."""
        body = serializers.MeetingTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.meeting_transition(meeting=self.get_object(), actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._reloaded(meeting)).data)

    @extend_schema(
        methods=["post"],
        request=serializers.ReviewPackRequestSerializer,
        responses={202: serializers.ReviewPackSerializer},
    )
    @extend_schema(methods=["get"], responses=serializers.ReviewPackSerializer)
    @action(detail=True, methods=["get", "post"], url_path="review-pack")
    def review_pack(self, request, pk=None):
        """POST: start building the meeting's review pack (202 at once); GET: the latest pack's state."""
        meeting = self.get_object()
        if request.method == "GET":
            pack = meeting.review_packs.select_related("meeting", "plan", "requested_by").first()
            if pack is None:
                return Response({"detail": "No review pack yet."}, status=status.HTTP_404_NOT_FOUND)
            return Response(serializers.ReviewPackSerializer(pack, context=self.get_serializer_context()).data)
        body = serializers.ReviewPackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack, _created = services.review_pack_request(
            actor=request.user, meeting=meeting, as_of=body.validated_data.get("as_of")
        )
        data = serializers.ReviewPackSerializer(pack, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class DecisionViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Decisions (决议) of held meetings, each with its follow-up actions."""

    queryset = Decision.objects.select_related("meeting").prefetch_related(
        Prefetch("actions", queryset=ActionItem.objects.select_related("responsible_organization"))
    )
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilter
    search_fields = ["title", "text"]
    ordering_fields = ["meeting__sequence_no", "number"]

    def create_through_service(self, data):
        return services.decision_save(actor=self.request.user, data=data)

    def update_through_service(self, instance, data):
        return services.decision_save(actor=self.request.user, decision=instance, data=data)

    def perform_destroy(self, instance):
        services.decision_delete(actor=self.request.user, decision=instance)


class ActionItemViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Follow-up actions (督办事项). ``?unfinished=true`` for open and overdue ones."""

    queryset = ActionItem.objects.for_api()
    serializer_class = serializers.ActionItemSerializer
    filterset_class = filters.ActionItemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_date", "status", "updated_at"]

    def create_through_service(self, data):
        return services.action_item_save(actor=self.request.user, data=data)

    def update_through_service(self, instance, data):
        return services.action_item_save(actor=self.request.user, item=instance, data=data)

    def perform_destroy(self, instance):
        delete_tracked(actor=self.request.user, instance=instance)

    @extend_schema(request=serializers.ActionTransitionSerializer, responses=serializers.ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Mark done, drop or reopen; overdue is set by the tracker itself."""
        body = serializers.ActionTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.action_item_transition(item=self.get_object(), actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._reloaded(item)).data)

    @extend_schema(methods=["get"], responses=serializers.ActionUpdateSerializer(many=True))
    @extend_schema(
        methods=["post"], request=serializers.ActionUpdateSerializer, responses=serializers.ActionUpdateSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        """The action's record of updates, newest first; POST adds a progress note."""
        item = self.get_object()
        if request.method == "POST":
            body = serializers.ActionUpdateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            update = services.action_item_report(item=item, actor=request.user, text=body.validated_data["text"])
            return Response(serializers.ActionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(item.updates.select_related("author"))
        return self.get_paginated_response(serializers.ActionUpdateSerializer(page, many=True).data)


class AnnualPlanViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Annual implementation plans (年度实施计划) and their lifecycle (draft → submitted → approved/returned)."""

    queryset = AnnualPlan.objects.all()
    serializer_class = serializers.AnnualPlanSerializer
    filterset_class = filters.AnnualPlanFilter
    ordering_fields = ["year"]

    def get_queryset(self):
        return (
            AnnualPlan.objects.select_related("meeting")
            .annotate(item_count=Count("items"), planned_investment=Sum("items__planned_investment"))
            .prefetch_related(
                # Only the reviews this user may see (experts: their own).
                Prefetch(
                    "expert_reviews",
                    queryset=visible(self.request.user, ExpertReview.objects.select_related("expert")),
                    to_attr="visible_reviews",
                ),
                Prefetch("amendments", queryset=PlanAmendment.objects.select_related("opened_by")),
                Prefetch("transitions", queryset=PlanTransition.objects.select_related("actor")),
            )
            .order_by("-year")  # the annotation's GROUP BY drops the default ordering
        )

    def create_through_service(self, data):
        return services.plan_save(actor=self.request.user, data=data)

    def update_through_service(self, instance, data):
        return services.plan_save(actor=self.request.user, plan=instance, data=data)

    def perform_destroy(self, instance):
        services.plan_delete(actor=self.request.user, plan=instance)

    @extend_schema(request=serializers.PlanTransitionSerializer, responses=serializers.AnnualPlanSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """submitted (with ``meeting``), approved, returned (with ``item_comments``), draft (amendment, with
        ``reason``). Refused moves answer 409 with the allowed ones."""
        body = serializers.PlanTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.plan_transition(plan=self.get_object(), actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._reloaded(plan)).data)

    @extend_schema(parameters=[AS_OF], responses=dict)
    @action(detail=True, methods=["get"])
    def execution(self, request, pk=None):
        """Planned against actual per item, per corridor and per province, and which items are behind."""
        return Response(plan_execution(plan=self.get_object(), as_of=_as_of(request)))


class PlanItemViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Items of the annual plans (``?plan=<id>``), drafted by the proposing province's staff."""

    queryset = PlanItem.objects.all()
    serializer_class = serializers.PlanItemSerializer
    filterset_class = filters.PlanItemFilter
    search_fields = ["project__code", "project__name_zh", "description"]
    ordering_fields = ["project__code", "planned_investment", "updated_at"]

    def get_queryset(self):
        return PlanItem.objects.select_related("project", "province", "plan").prefetch_related(
            Prefetch("funding", queryset=PlanItemFunding.objects.select_related("source")),
            Prefetch("targets", queryset=PlanItemTarget.objects.select_related("indicator")),
            "milestones",
            Prefetch(
                "project__expert_reviews",
                queryset=visible(self.request.user, ExpertReview.objects.select_related("expert")),
                to_attr="visible_reviews",
            ),
        )

    def _write(self, instance, data):
        plan = data.pop("plan")
        if instance is not None and plan.pk != instance.plan_id:
            raise ValidationError({"plan": ["An item stays in its plan."]})
        return services.plan_item_save(
            actor=self.request.user,
            plan=plan,
            item=instance,
            data=data,
            funding=data.pop("funding", None),
            targets=data.pop("targets", None),
            milestones=data.pop("milestones", None),
        )

    def create_through_service(self, data):
        return self._write(None, data)

    def update_through_service(self, instance, data):
        data.setdefault("plan", instance.plan)
        return self._write(instance, data)

    def perform_destroy(self, instance):
        services.plan_item_delete(actor=self.request.user, item=instance)

    @extend_schema(request=serializers.MilestoneDoneSerializer, responses=serializers.PlanItemSerializer)
    @action(detail=True, methods=["post"])
    def milestone(self, request, pk=None):
        """Record the date a milestone was reached (allowed in approved plans: it is execution)."""
        item = self.get_object()
        body = serializers.MilestoneDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = item.milestones.filter(title=body.validated_data["title"]).first()
        if milestone is None:
            raise ValidationError({"title": ["No milestone of this item has this title."]})
        services.milestone_done(actor=request.user, milestone=milestone, done_on=body.validated_data["done_on"])
        return Response(self.get_serializer(self._reloaded(item)).data)


class ExpertViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Members of the expert committee (专家委员会). ``?in_term_on=YYYY-MM-DD`` for those in office."""

    queryset = Expert.objects.select_related("province", "user")
    serializer_class = serializers.ExpertSerializer
    filterset_class = filters.ExpertFilter
    search_fields = ["name", "field", "affiliation"]
    ordering_fields = ["name", "term_end"]

    def create_through_service(self, data):
        return services.expert_save(actor=self.request.user, data=data)

    def update_through_service(self, instance, data):
        return services.expert_save(actor=self.request.user, expert=instance, data=data)

    def perform_destroy(self, instance):
        delete_tracked(actor=self.request.user, instance=instance)


class ExpertReviewViewSet(ServiceWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Reviews the joint office asks of experts. Experts see and edit only their own."""

    queryset = ExpertReview.objects.all()
    serializer_class = serializers.ExpertReviewSerializer
    filterset_class = filters.ExpertReviewFilter
    search_fields = ["opinion", "question"]
    ordering_fields = ["created_at", "submitted_at", "score"]

    def get_queryset(self):
        return visible(self.request.user, ExpertReview.objects.for_api())

    def create_through_service(self, data):
        fields = ("expert", "project", "plan", "question", "due_date")
        return services.review_request(actor=self.request.user, **{k: data[k] for k in fields if k in data})

    def update_through_service(self, instance, data):
        return services.review_save(actor=self.request.user, review=instance, data=data)

    def perform_destroy(self, instance):
        delete_tracked(actor=self.request.user, instance=instance)

    @extend_schema(request=serializers.ReviewTransitionSerializer, responses=serializers.ExpertReviewSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """submitted (the expert, once opinion, recommendation and score are there) or back to requested."""
        body = serializers.ReviewTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_transition(review=self.get_object(), actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._reloaded(review)).data)


class ReviewPackViewSet(viewsets.ReadOnlyModelViewSet):
    """Review packs of meetings; request one with POST /meetings/{id}/review-pack/."""

    queryset = ReviewPack.objects.select_related("meeting", "plan", "requested_by")
    serializer_class = serializers.ReviewPackSerializer
    filterset_fields = ["meeting", "status"]
    ordering_fields = ["created_at"]

    def _file(self, kind):
        pack = self.get_object()
        field = getattr(pack, kind)
        if pack.status != PackStatus.READY or not field:
            return Response(
                {"detail": "The review pack is not ready.", "status": pack.status}, status=status.HTTP_409_CONFLICT
            )
        return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])

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


class CorridorPlanViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """The "six rivers" corridor plan (2021–2035) with its per-corridor targets."""

    queryset = CorridorPlan.objects.prefetch_related(
        Prefetch("compiled_by", queryset=Organization.objects.select_related("province")),
        Prefetch("targets", queryset=CorridorTarget.objects.select_related("corridor", "indicator")),
    )
    serializer_class = serializers.CorridorPlanSerializer
    ordering_fields = ["start_year"]

    @extend_schema(parameters=[AS_OF], responses=dict)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Each corridor's path toward its 2035 targets: achieved, planned this year, remaining."""
        return Response(corridor_progress(corridor_plan=self.get_object(), as_of=_as_of(request)))


class CorridorTargetViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Targets of the corridor plan per corridor, indicator and year (2025, 2030, 2035)."""

    queryset = CorridorTarget.objects.select_related("plan", "corridor", "indicator")
    serializer_class = serializers.CorridorTargetSerializer
    filterset_fields = ["plan", "year"]
    ordering_fields = ["year"]
