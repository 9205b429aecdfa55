import django_filters

from projects.conference.models import ActionItem, AnnualPlan, Decision, Expert, ExpertReview, Meeting, PlanItem


class MeetingFilter(django_filters.FilterSet):
    host_province = django_filters.CharFilter(field_name="host_province__code", label="host province code")
    year = django_filters.NumberFilter(field_name="date__year")

    class Meta:
        model = Meeting
        fields = ["status", "host_province", "year"]


class DecisionFilter(django_filters.FilterSet):
    meeting_no = django_filters.NumberFilter(field_name="meeting__sequence_no", label="meeting sequence number")

    class Meta:
        model = Decision
        fields = ["meeting", "meeting_no"]


class ActionItemFilter(django_filters.FilterSet):
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


class AnnualPlanFilter(django_filters.FilterSet):
    class Meta:
        model = AnnualPlan
        fields = ["year", "status"]


class PlanItemFilter(django_filters.FilterSet):
    plan_year = django_filters.NumberFilter(field_name="plan__year")
    province = django_filters.CharFilter(field_name="province__code", label="proposing province code")
    project_code = django_filters.CharFilter(field_name="project__code")
    corridor = django_filters.CharFilter(field_name="project__corridors__slug", label="corridor slug")

    class Meta:
        model = PlanItem
        fields = ["plan", "plan_year", "province", "project", "project_code", "corridor"]


class ExpertFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code", label="province code")
    in_term_on = django_filters.DateFilter(method="filter_in_term", label="in office on (date)")

    class Meta:
        model = Expert
        fields = ["province"]

    def filter_in_term(self, queryset, name, value):
        return queryset.filter(term_start__lte=value, term_end__gte=value)


class ExpertReviewFilter(django_filters.FilterSet):
    project_code = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = ExpertReview
        fields = ["expert", "project", "project_code", "plan", "status", "recommendation"]
