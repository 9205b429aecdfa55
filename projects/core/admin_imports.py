"""The admin's import page of a model: the same import as the API's ``…/import/`` (a dry run that
saves nothing and lists every bad row with its line, then an all-or-nothing import)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.module_loading import import_string
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from projects.core.import_jobs import import_job_request
from projects.core.imports import ImportRejected, count_rows, read_table

COUNT_LABELS = {
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "samples": _("samples"),
    "measurements": _("measurements"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(label=_("Dry run: check every row, save nothing"), required=False, initial=True)


def api_import(viewset_path: str):
    """An import through the API resource's own import (its serializer and service)."""

    def run(request, file, dry_run):
        # Imported here: the admin loads before the API's URLs and viewsets.
        from rest_framework.request import Request

        viewset = import_string(viewset_path)
        api_request = Request(request)
        api_request.user = request.user
        view = viewset(request=api_request, format_kwarg=None, action="import_file", args=(), kwargs={})
        return view.import_table(read_table(file), request.user, dry_run=dry_run)

    return run


class ImportAdminMixin:
    """Adds ``import/`` to a model admin (linked from its list)."""

    change_list_template = "admin/import_change_list.html"
    import_runner = None  # (request, file, dry_run) -> counts, or raises ImportRejected
    import_resource = ""  # ImportResource: a file of more rows than IMPORT_BACKGROUND_ROWS runs as a job
    import_help = ""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=name),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        result, errors = None, None
        if request.method == "POST" and form.is_valid():
            file, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            if self.import_resource and count_rows(file) > settings.IMPORT_BACKGROUND_ROWS:
                return self._import_in_background(request, file, dry_run)
            try:
                result = type(self).import_runner(
                    request, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
                )
            except ImportRejected as exc:
                errors = exc.rows
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import %(records)s") % {"records": self.opts.verbose_name_plural},
            "form": form,
            "result": result,
            "summary": [(str(COUNT_LABELS.get(k, k)), v) for k, v in (result or {}).items() if k != "dry_run"],
            "errors": errors,
            "help": self.import_help,
        }
        return TemplateResponse(request, "admin/import.html", context)

    def _import_in_background(self, request, file, dry_run):
        job = import_job_request(
            actor=request.user,
            resource=self.import_resource,
            model=self.model,
            file=file,
            dry_run=dry_run,
            language=get_language() or "",
        )
        self.message_user(
            request,
            gettext("The file holds %(rows)d rows: it is imported in the background. This page shows how far it is.")
            % {"rows": job.rows_total},
            messages.SUCCESS,
        )
        return redirect("admin:core_importjob_change", job.pk)
