import django_filters

from api.filters import TrackerFilterSet
from projects.conference.models import ActionItem, AnnualPlan, Decision, Expert, ExpertReview, Meeting, PlanItem


class MeetingFilter(TrackerFilterSet):
    host_province = django_filters.CharFilter(field_name="host_province__code", label="host province code")
    year = django_filters.NumberFilter(field_name="date__year")

    class Meta:
        model = Meeting
        fields = ["status", "host_province", "year"]


class DecisionFilter(TrackerFilterSet):
    meeting_no = django_filters.NumberFilter(field_name="meeting__sequence_no", label="meeting sequence number")

    class Meta:
        model = Decision
        fields = ["meeting", "meeting_no"]


class ActionItemFilter(TrackerFilterSet):
    responsible_organization = django_filters.CharFilter(
        field_name="responsible_organization__slug", label="responsible organization slug"
    )
    responsible_organization_id = django_filters.UUIDFilter(field_name="responsible_organization_id")
    meeting = django_filters.UUIDFilter(field_name="decision__meeting_id")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    unfinished = django_filters.BooleanFilter(method="filter_unfinished", label="open or overdue")

    class Meta:
        model = ActionItem
        fields = ["status", "decision", "meeting", "responsible_organization", "responsible_organization_id"]

    def filter_unfinished(self, queryset, name, value):
        return queryset.unfinished() if value else queryset.exclude(pk__in=queryset.unfinished().values("pk"))


class AnnualPlanFilter(TrackerFilterSet):
    class Meta:
        model = AnnualPlan
        fields = ["year", "status"]


class PlanItemFilter(TrackerFilterSet):
    plan_year = django_filters.NumberFilter(field_name="plan__year")
    province = django_filters.CharFilter(field_name="province__code", label="proposing province code")
    project_code = django_filters.CharFilter(field_name="project__code")
    corridor = django_filters.CharFilter(field_name="project__corridors__slug", label="corridor slug")

    class Meta:
        model = PlanItem
        fields = ["plan", "plan_year", "province", "project", "project_code", "corridor"]


class ExpertFilter(TrackerFilterSet):
    province = django_filters.CharFilter(field_name="province__code", label="province code")
    in_term_on = django_filters.DateFilter(method="filter_in_term", label="in office on (date)")

    class Meta:
        model = Expert
        fields = ["province"]

    def filter_in_term(self, queryset, name, value):
        return queryset.filter(term_start__lte=value, term_end__gte=value)


class ExpertReviewFilter(TrackerFilterSet):
    project_code = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = ExpertReview
        fields = ["expert", "project", "project_code", "plan", "status", "recommendation"]
