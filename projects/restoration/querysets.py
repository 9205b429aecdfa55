from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery


class ProjectQuerySet(models.QuerySet):
    def with_latest_progress(self):
        """The latest submitted or accepted report's period, percent and investment, in one query."""
        from projects.restoration.choices import ReportStatus
        from projects.restoration.models import ProgressReport

        latest = ProgressReport.objects.filter(
            project=OuterRef("pk"), status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).order_by("-period_end", "-created_at")
        return self.annotate(
            latest_period=Subquery(latest.values("period")[:1]),
            latest_percent_complete=Subquery(latest.values("percent_complete")[:1]),
            latest_cumulative_investment=Subquery(latest.values("cumulative_investment")[:1]),
        )

    def for_api(self):
        """Everything a project's representation shows, at a fixed number of queries."""
        from django.apps import apps

        from projects.core.models import Corridor, Division, KeyArea, Organization, Province
        from projects.restoration.models import EcosystemElement, FundingShare, IndicatorTarget, MeasureType

        # Payments out of the compensation fund to the project (the compensation app's records).
        FundAllocation = apps.get_model("compensation", "FundAllocation")

        # Related records are shown in brief: never load their (large) geometries.
        brief = ("id", "name_zh", "name_en")
        return (
            self.select_related("lead_organization__province")
            .defer("lead_organization__province__outline")
            .prefetch_related(
                Prefetch("corridors", queryset=Corridor.objects.only(*brief, "slug")),
                Prefetch("key_areas", queryset=KeyArea.objects.only(*brief, "slug")),
                Prefetch("elements", queryset=EcosystemElement.objects.only(*brief, "code")),
                Prefetch("measures", queryset=MeasureType.objects.only(*brief, "code")),
                Prefetch("provinces", queryset=Province.objects.only(*brief, "code", "short_name")),
                Prefetch("divisions", queryset=Division.objects.only(*brief, "code", "is_adjacent_area")),
                Prefetch(
                    "partner_organizations",
                    queryset=Organization.objects.select_related("province").only(*brief, "slug", "province__code"),
                ),
                Prefetch("funding", queryset=FundingShare.objects.select_related("source")),
                Prefetch("targets", queryset=IndicatorTarget.objects.select_related("indicator")),
                Prefetch(
                    "fund_allocations",
                    queryset=FundAllocation.objects.select_related("fund").only(
                        "id", "project_id", "allocated_on", "amount", "purpose", "fund__code"
                    ),
                ),
            )
            .with_latest_progress()
        )

    def in_province(self, code: str):
        return self.filter(provinces__code=code)
