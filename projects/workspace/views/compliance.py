"""The workspace's reporting-compliance page: who has not reported, for the projects the reader may see."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from projects.permissions import visible
from projects.restoration.forms import ComplianceFilterForm
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
    result = form.compliance(visible(request.user, Project.objects.all()))
    counts = form.counts(result)
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
