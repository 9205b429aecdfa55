"""Forms the admin and the workspace pages share."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.core.models import Corridor, Organization, Province
from projects.restoration.compliance import NOT_REPORTED, STATUS_LABELS, reporting_compliance
from projects.restoration.models.reports import PERIOD_PATTERN


class ComplianceFilterForm(forms.Form):
    """The reporting-compliance filters of the admin list and the workspace page (kept in the URL)."""

    period = forms.RegexField(PERIOD_PATTERN, required=False, label=_("period"), help_text=_("YYYY-MM or YYYY-Qn"))
    province = forms.ModelChoiceField(Province.objects.all(), required=False, label=_("province"))
    corridor = forms.ModelChoiceField(Corridor.objects.all(), required=False, label=_("corridor"))
    organization = forms.ModelChoiceField(Organization.objects.all(), required=False, label=_("organization"))
    status = forms.MultipleChoiceField(
        choices=list(STATUS_LABELS.items()),
        required=False,
        label=_("status"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Due, overdue and missing when none is ticked."),
    )
    as_of = forms.DateField(required=False, label=_("as of"))

    def compliance(self, projects) -> dict:
        """``reporting_compliance`` of ``projects`` (what the reader may see) under the valid filters;
        a bad filter is left out (its message shows beside the field)."""
        options = self.cleaned_data if self.is_valid() else {}
        return reporting_compliance(
            projects=projects,
            today=options.get("as_of") or timezone.localdate(),
            period=options.get("period") or None,
            province=options["province"].code if options.get("province") else None,
            corridor=options["corridor"].slug if options.get("corridor") else None,
            organization=options["organization"].slug if options.get("organization") else None,
            statuses=options.get("status") or NOT_REPORTED,
        )

    @staticmethod
    def counts(result) -> list[tuple[str, int]]:
        """The rows per status, in words."""
        return [(STATUS_LABELS[key], result["summary"]["by_status"].get(key, 0)) for key in STATUS_LABELS]
