import json

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.core import signin
from projects.core.admin_base import ReadOnlyAdmin, TrackedAdmin, run_all_or_nothing
from projects.core.models import (
    ApiToken,
    ChangeRecord,
    Corridor,
    Division,
    ImportJob,
    KeyArea,
    Notification,
    Organization,
    Province,
    User,
)
from projects.core.notifications import notifications_mark_read
from projects.core.tokens import token_revoke
from projects.permissions import CHANGE, VIEW, can, visible, visible_history

admin.site.site_header = _("Sichuan–Chongqing ecological restoration tracker")
admin.site.site_title = _("Restoration tracker")
admin.site.index_title = _("Joint territorial-space ecological restoration")


class LockoutAdminLoginForm(AdminAuthenticationForm):
    """The admin's login, refusing an account locked after too many failed sign-ins from this
    address with the time left, whatever the password (projects/core/signin.py)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = signin.locked_for(username, signin.client_address(self.request))
        if username and wait:
            signin.refused(self.request, username)
            raise ValidationError(signin.locked_message(wait), code="locked")
        return super().clean()


admin.site.login_form = LockoutAdminLoginForm


@admin.register(Province)
class ProvinceAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "short_name")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Division)
class DivisionAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "level", "province", "is_adjacent_area")
    list_filter = ("province", "level", "is_adjacent_area", "corridors")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("province",)
    autocomplete_fields = ("parent",)
    filter_horizontal = ("corridors",)


@admin.register(Corridor)
class CorridorAdmin(TrackedAdmin):
    list_display = ("slug", "name_zh", "name_en", "is_six_rivers", "has_centreline")
    list_filter = ("is_six_rivers", "provinces")
    search_fields = ("slug", "name_zh", "name_en")
    filter_horizontal = ("provinces",)

    @admin.display(boolean=True, description=_("centreline"))
    def has_centreline(self, obj):
        return obj.centreline is not None


@admin.register(KeyArea)
class KeyAreaAdmin(TrackedAdmin):
    list_display = ("slug", "name_zh", "name_en", "kind", "focus")
    list_filter = ("kind", "provinces")
    search_fields = ("slug", "name_zh", "name_en")
    filter_horizontal = ("provinces",)


@admin.register(Organization)
class OrganizationAdmin(TrackedAdmin):
    list_display = ("slug", "name_zh", "name_en", "kind", "province")
    list_filter = ("kind", "province")
    search_fields = ("slug", "name_zh", "name_en")
    list_select_related = ("province",)


@admin.register(User)
class UserAdmin(TrackedAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "organization", "role", "is_active", "is_staff")
    list_filter = ("role", "organization__province", "is_active", "is_staff")
    list_select_related = ("organization",)
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (_("Role in the tracker"), {"fields": ("organization", "role", "notify_by")}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "organization", "role", "password1", "password2")}),
    )

    def get_form(self, request, obj=None, **kwargs):
        # Only administrators may touch passwords and superuser flags, decided in one place.
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and not can(request.user, CHANGE, obj):
            for field in form.base_fields.values():
                field.disabled = True
        return form

    def service_data(self, request, form, formsets, change):
        data = super().service_data(request, form, formsets, change)
        if not change:
            # The creation form hashed the password onto its instance (never stored in clear).
            data["password"] = form.instance.password
        return data


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The history, read-only for everyone."""

    list_display = ("id", "time", "actor_name", "action", "event", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "object_id", "actor_name", "request_id")
    list_select_related = ("content_type",)
    # ``before`` whole (long texts kept as differences put back), in place of the stored parts.
    readonly_fields = [
        "full_before" if field.name == "before" else field.name
        for field in ChangeRecord._meta.fields
        if field.name != "before_diffs"
    ]
    fields = readonly_fields

    @admin.display(description=ChangeRecord._meta.get_field("before").verbose_name)
    def full_before(self, obj):
        before = obj.full_before
        return None if before is None else json.dumps(before, ensure_ascii=False)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        return visible_history(request.user, super().get_queryset(request))


@admin.register(ApiToken)
class ApiTokenAdmin(TrackedAdmin):
    """Tokens are issued through the API (the key is shown once there); here they are seen and revoked."""

    list_display = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope", "revoked_at")
    search_fields = ("user__username", "name", "prefix")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in ApiToken._meta.fields if field.name not in ("key_hash",)]
    exclude = ("key_hash",)
    actions = ["revoke"]
    delete_service = staticmethod(
        lambda *, actor, instance, expected_version=None: token_revoke(actor=actor, instance=instance)
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        run_all_or_nothing(
            self,
            request,
            queryset,
            lambda token: token_revoke(actor=request.user, instance=token),
            _("%(count)d token(s) revoked."),
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Notifications: each person sees their own (administrators everyone's) and marks them read."""

    list_display = ("subject", "user", "created_at", "read_at")
    list_filter = ("event", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("subject", "body")
    readonly_fields = ("user", "event", "subject", "body", "link", "created_at", "read_at")
    actions = ["mark_read"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_administrator else queryset.filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            obj is None or obj.user_id == request.user.pk or request.user.is_administrator
        )

    @admin.action(description=_("Mark the selected notifications read"))
    def mark_read(self, request, queryset):
        count = notifications_mark_read(actor=request.user, queryset=queryset)
        self.message_user(request, _("%(count)d notification(s) marked read.") % {"count": count})


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Imports run in the background: each person follows their own (administrators everyone's);
    only the task writes them."""

    list_display = ("file_name", "resource", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "resource")
    readonly_fields = (
        "resource",
        "file_name",
        "dry_run",
        "status",
        "progress",
        "result",
        "bad_lines",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    exclude = ("file", "errors", "rows_done", "rows_total", "language")

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW, obj if obj is not None else ImportJob)

    @admin.display(description=_("rows checked"))
    def progress(self, job):
        return f"{job.rows_done} / {job.rows_total}"

    @admin.display(description=_("bad lines"))
    def bad_lines(self, job):
        return "\n".join(_line(row) for row in job.errors) or "—"


def _line(row: dict) -> str:
    from django.utils.translation import gettext

    return gettext("Line %(line)s: %(reason)s") % row
