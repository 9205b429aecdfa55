"""Large imports in the background: ``POST …/import/`` answers 202 with a job for a file of more
than ``IMPORT_BACKGROUND_ROWS`` rows (or with ``background=true``), and
``GET /api/v1/import-jobs/{id}/`` follows it (projects.core.import_jobs).

Each importing resource declares ``import_resource`` and runs a file through ``run_import``; the
task finds the resource by that name and runs the same code as a request would."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.exports import ExportMixin
from api.viewsets import TrackedReadMixin
from projects.core.choices import ImportStatus
from projects.core.import_jobs import import_job_request
from projects.core.imports import ImportRejected, count_rows
from projects.core.models import ImportJob

_TRUE = {"true", "1", "yes", "y", "是"}


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="get_resource_display", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.SerializerMethodField(help_text="Rows done as a share of the file's rows, 0–100.")
    errors = extend_schema_field(ImportErrorSerializer(many=True))(serializers.JSONField())
    result = serializers.JSONField(allow_null=True, help_text="The counts once imported, as a direct import answers.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "resource",
            "resource_name",
            "file_name",
            "dry_run",
            "status",
            "status_name",
            "rows_total",
            "rows_done",
            "percent",
            "result",
            "errors",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_percent(self, job) -> int:
        if job.status == ImportStatus.SUCCEEDED:
            return 100
        return min(100, job.rows_done * 100 // job.rows_total) if job.rows_total else 0


class ImportJobViewSet(TrackedReadMixin, ExportMixin, viewsets.ReadOnlyModelViewSet):
    """Your imports that run in the background, newest first: status, progress (rows done of the
    file's rows) and, once ended, the counts or every bad line with its reason. Nothing is saved
    unless every line is good."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    in_changes_feed = False  # personal, not a shared record
    filterset_fields = ["status", "resource"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]


def wants_background(request, file) -> bool:
    asked = request.query_params.get("background", "") or request.data.get("background", "")
    return str(asked).lower() in _TRUE or count_rows(file) > settings.IMPORT_BACKGROUND_ROWS


def import_answer(view, request, *, file, dry_run: bool) -> Response:
    """The answer to ``POST …/import/``: 202 with a job for a large file, else the import itself
    (201, or 200 for a dry run; 400 with every bad line)."""
    from api.imports import rejected

    if wants_background(request, file):
        job = import_job_request(
            actor=request.user,
            resource=view.import_resource,
            model=view.get_queryset().model,
            file=file,
            dry_run=dry_run,
            language=translation.get_language() or "",
        )
        location = reverse("importjob-detail", kwargs={"pk": str(job.pk)})
        body = ImportJobSerializer(job, context=view.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": str(location)})
    try:
        result = view.run_import(actor=request.user, file=file, dry_run=dry_run)
    except ImportRejected as exc:
        return rejected(exc)
    return Response(result, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def runner_for(resource: str):
    """The ``run_import`` of the API resource named ``resource``, as the task calls it."""
    from api.urls import router

    for _prefix, viewset, _basename in router.registry:
        if getattr(viewset, "import_resource", None) == resource:
            return lambda *, actor, **kwargs: _view_for(viewset, actor).run_import(actor=actor, **kwargs)
    raise LookupError(resource)


def _view_for(viewset, actor):
    """The resource's view as a request of ``actor`` would build it (outside any request)."""
    request = HttpRequest()
    request.method = "POST"
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    request.user = actor
    request.LANGUAGE_CODE = translation.get_language()
    api_request = Request(request)
    api_request.user = actor
    return viewset(request=api_request, format_kwarg=None, action="import_file", args=(), kwargs={})
