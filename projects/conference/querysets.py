"""Reads of the conference's records, each at a fixed number of queries."""

from django.db import models
from django.db.models import Prefetch


class MeetingQuerySet(models.QuerySet):
    def for_api(self):
        from projects.conference.models import AgendaItem, Decision
        from projects.core.models import Organization

        return self.select_related("host_province").prefetch_related(
            Prefetch("attending_organizations", queryset=Organization.objects.select_related("province")),
            Prefetch("agenda", queryset=AgendaItem.objects.select_related("presenter__province")),
            # Decisions are listed briefly (number and title) on the meeting.
            Prefetch("decisions", queryset=Decision.objects.order_by("number")),
        )


class ActionItemQuerySet(models.QuerySet):
    def unfinished(self):
        """Open and overdue actions: what the follow-up still waits for."""
        from projects.conference.choices import ActionStatus

        return self.filter(status__in=[ActionStatus.OPEN, ActionStatus.OVERDUE])

    def due_before(self, day):
        """Open actions whose due date has passed by ``day``: the ones to mark overdue."""
        from projects.conference.choices import ActionStatus

        return self.filter(status=ActionStatus.OPEN, due_date__lt=day)

    def for_api(self):
        return self.select_related("decision__meeting", "responsible_organization__province")


class ExpertReviewQuerySet(models.QuerySet):
    # Who may see which review is the rule's answer: ``projects.permissions.visible(user, …)``.

    def submitted(self):
        from projects.conference.choices import ReviewStatus

        return self.filter(status=ReviewStatus.SUBMITTED)

    def for_api(self):
        return self.select_related("expert__province", "project", "plan", "requested_by")
