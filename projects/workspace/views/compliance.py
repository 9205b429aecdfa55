"""The workspace's reporting-compliance page: who has not reported, for the projects the reader may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.permissions import visible
from projects.restoration.admin import ComplianceFilterForm
from projects.restoration.compliance import NOT_REPORTED, STATUS_LABELS, reporting_compliance
from projects.restoration.models import Project


@login_required
def compliance(request):
    """The same filters and figures as the admin's compliance list; bad filters show beside the fields."""
    form = ComplianceFilterForm(request.GET or None)
    options = form.cleaned_data if form.is_valid() else {}
    result = reporting_compliance(
        projects=visible(request.user, Project.objects.all()),
        today=options.get("as_of") or timezone.localdate(),
        period=options.get("period") or None,
        province=options["province"].code if options.get("province") else None,
        corridor=options["corridor"].slug if options.get("corridor") else None,
        organization=options["organization"].slug if options.get("organization") else None,
        statuses=options.get("status") or NOT_REPORTED,
    )
    counts = [(STATUS_LABELS[key], result["summary"]["by_status"].get(key, 0)) for key in STATUS_LABELS]
    context = {"title": _("Reporting compliance"), "form": form, "result": result, "counts": counts}
    return render(request, "workspace/compliance.html", context)
