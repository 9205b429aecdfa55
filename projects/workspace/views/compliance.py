"""The workspace's reporting-compliance page: who has not reported, for the projects the reader may see."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.permissions import visible
from projects.restoration.admin import ComplianceFilterForm
from projects.restoration.compliance import NOT_REPORTED, STATUS_LABELS, reporting_compliance
from projects.restoration.models import Project

ROWS_PER_PAGE = 50


def _by_name(rows, names) -> list[tuple[str, int]]:
    """Rows listed per name (province, organization, corridor), names not codes."""
    counter = Counter(name for row in rows for name in names(row))
    return sorted(counter.items())


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
    rows = result["rows"]
    groups = [
        (_("province"), _by_name(rows, lambda row: [row["province"]["name"] if row["province"] else "—"])),
        (_("organization"), _by_name(rows, lambda row: [row["organization"]["name"]])),
        (_("corridor"), _by_name(rows, lambda row: [c["name"] for c in row["corridors"]])),
    ]
    # The counts cover every row; the table shows them a page at a time, the filters kept in the links.
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("Reporting compliance"),
        "form": form,
        "result": result,
        "counts": counts,
        "groups": groups,
        "rows": page,
        "query": query.urlencode(),
    }
    return render(request, "workspace/compliance.html", context)
