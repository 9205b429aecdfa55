"""The admin face: same permissions and history as the API, through the same parts."""

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import history_of, record_change, snapshot
from projects.core.services import delete_tracked, locked_snapshot, refresh_derived
from projects.core.widgets import LocalMapWidget
from projects.permissions import ADD, CHANGE, DELETE, VIEW, can, require

_GEOMETRY_FIELDS = (
    gis_models.PointField,
    gis_models.LineStringField,
    gis_models.PolygonField,
    gis_models.MultiPointField,
    gis_models.MultiLineStringField,
    gis_models.MultiPolygonField,
    gis_models.GeometryField,
    gis_models.GeometryCollectionField,
)


class TrackedAdmin(admin.ModelAdmin):
    """Asks ``projects.permissions`` for every action and keeps every change in history."""

    formfield_overrides = {field: {"widget": LocalMapWidget} for field in _GEOMETRY_FIELDS}
    object_history_template = "admin/tracked_history.html"
    readonly_fields = ("id", "version", "created_at", "updated_at")

    # --- permissions ---
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW, obj if obj is not None else self.model)

    def has_add_permission(self, request):
        return can(request.user, ADD, self.model)

    def has_change_permission(self, request, obj=None):
        return can(request.user, CHANGE, obj if obj is not None else self.model)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, DELETE, obj if obj is not None else self.model)

    # --- tracked writes (the admin wraps save_model and save_related in one transaction) ---
    def save_model(self, request, obj, form, change):
        request._tracked_before = locked_snapshot(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        refresh_derived(obj)
        before = getattr(request, "_tracked_before", None)
        require(request.user, CHANGE if change else ADD, obj)
        record_change(
            instance=obj,
            action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
            actor=request.user,
            before=before,
            after=snapshot(obj),
            message=str(_("Changed in the admin")),
        )

    def delete_model(self, request, obj):
        delete_tracked(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if not can(request.user, DELETE, obj):
                raise PermissionDenied
            delete_tracked(actor=request.user, instance=obj)

    def log_addition(self, request, obj, message):
        return None  # ChangeRecord is the history; Django's LogEntry would be a second one

    log_change = log_addition
    log_deletion = log_addition

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "records": history_of(obj)[:500],
            "module_name": str(self.model._meta.verbose_name_plural),
            "object": obj,
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


class TrackedInline(admin.TabularInline):
    """Rows edited inside their parent's form: the parent's rule decides, the parent's
    history records them (through its ``history_extra``)."""

    extra = 0

    def _can_change_parent(self, request, obj):
        return can(request.user, CHANGE, obj if obj is not None else self.parent_model)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)


class CommentForm(forms.Form):
    """The intermediate page of admin actions that need a choice and a comment."""

    to = forms.ChoiceField(label=_("New status"), required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def confirm_with_comment(modeladmin, request, queryset, *, title, choices=None, apply):
    """Shows a form (target status, comment); on confirmation calls ``apply(obj, to, comment)``
    for each selected record and reports each refusal with its reason."""
    form = CommentForm(request.POST if "apply" in request.POST else None)
    form.fields["to"].choices = choices or []
    if choices is None:
        del form.fields["to"]
    if "apply" in request.POST and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                apply(obj, form.cleaned_data.get("to"), form.cleaned_data["comment"])
                done += 1
            except (DomainError, PermissionDenied, ValidationError) as exc:
                reason = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
                modeladmin.message_user(request, f"{obj}: {reason}", level=messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(count)d record(s) updated.") % {"count": done}, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/confirm_with_comment.html", context)
