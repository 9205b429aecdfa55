"""The workspace's task pages: what is waiting for me, and doing it in one page each.

Views stay thin: reads go through ``projects.permissions.visible`` and the domains' selectors,
writes through the domains' services; refusals come back as messages beside the fields.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@login_required
def my_work(request):
    return render(request, "workspace/my_work.html", {"title": _("My work")})
