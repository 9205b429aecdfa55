import uuid

import django_filters
from django.db.models import Q

from api.filters import ExistsFilter, TrackerFilterSet
from projects.restoration.choices import ProjectStatus, ReportStatus
from projects.restoration.models import ProgressReport, Project, ShorelineSegment


class ProjectFilter(TrackerFilterSet):
    corridor = ExistsFilter(field_name="corridors__slug", label="corridor slug")
    key_area = ExistsFilter(field_name="key_areas__slug", label="key area slug")
    province = ExistsFilter(field_name="provinces__code", label="province code (taking part)")
    division = ExistsFilter(field_name="divisions__code", label="division code")
    # A column of the row itself: no join to repeat rows, so no DISTINCT (it computed every match).
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices, distinct=False)
    cross_regional = django_filters.BooleanFilter(field_name="is_cross_regional")
    national_major = django_filters.BooleanFilter(field_name="is_national_major")
    element = ExistsFilter(field_name="elements__code", label="ecosystem element code")
    measure = ExistsFilter(field_name="measures__code", label="measure code")
    lead_organization = django_filters.CharFilter(field_name="lead_organization__slug")
    adjacent_area = django_filters.BooleanFilter(method="filter_adjacent_area", label="lies in an adjacent area")

    class Meta:
        model = Project
        fields = [
            "corridor",
            "key_area",
            "province",
            "division",
            "status",
            "cross_regional",
            "national_major",
            "element",
            "measure",
            "lead_organization",
            "adjacent_area",
        ]

    def filter_adjacent_area(self, queryset, name, value):
        adjacent = Project.objects.filter(divisions__is_adjacent_area=True).values("pk")
        return queryset.filter(pk__in=adjacent) if value else queryset.exclude(pk__in=adjacent)


class ProgressReportFilter(TrackerFilterSet):
    project = django_filters.CharFilter(method="filter_project", label="project id or code")
    province = ExistsFilter(field_name="project__provinces__code", label="province code")
    period = django_filters.CharFilter()
    year = django_filters.NumberFilter(field_name="period_end__year")
    status = django_filters.MultipleChoiceFilter(choices=ReportStatus.choices, distinct=False)
    include_drafts = django_filters.BooleanFilter(
        method="filter_drafts", label="include unsubmitted drafts (left out unless asked for)"
    )

    class Meta:
        model = ProgressReport
        fields = ["project", "province", "period", "year", "status", "include_drafts"]

    def filter_drafts(self, queryset, name, value):
        return queryset  # applied by the viewset's shared queryset (also for the changes feed)

    def filter_project(self, queryset, name, value):
        try:
            return queryset.filter(project_id=uuid.UUID(value))
        except ValueError:
            return queryset.filter(Q(project__code=value))


class ShorelineSegmentFilter(TrackerFilterSet):
    corridor = django_filters.CharFilter(field_name="corridor__slug", label="corridor slug")
    province = django_filters.CharFilter(field_name="province__code", label="responsible province code")
    project = django_filters.CharFilter(method="filter_project", label="project id or code")
    surveyed_since = django_filters.DateFilter(field_name="surveyed_on", lookup_expr="gte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ShorelineSegment
        fields = ["corridor", "province", "bank", "state", "project", "surveyed_since", "updated_since"]

    def filter_project(self, queryset, name, value):
        try:
            return queryset.filter(project_id=uuid.UUID(value))
        except ValueError:
            return queryset.filter(project__code=value)
