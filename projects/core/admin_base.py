"""The admin face: the same rules, services and history as the API, through the same functions.

- Permissions come from ``projects.permissions.can`` (inlines through ``has_perm`` and the rule
  backend), reads through ``visible``.
- A save calls the domain's ``<entity>_save`` with the fields the form changed and the rows of
  its inlines; a delete calls ``<entity>_delete``; status fields are read-only and change only
  through actions that call ``<entity>_transition``.
- A refusal of the rules (bad input, permission, state, an outdated version) is shown on the
  form, with everything typed kept; nothing is saved. Bulk actions are all or nothing.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.core.errors import DomainError
from projects.core.history import history_of, readable_changes
from projects.core.services import plain_delete, plain_save
from projects.core.widgets import LocalMapWidget
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, can, visible

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
# What the domain refuses: shown to the user, never a server error.
REFUSALS = (DomainError, PermissionDenied, ValidationError)


class ReadOnlyAdmin:
    """An admin page that only shows: the records are written by the system (history, logs,
    background work), never from a form."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _visible_choices(field, request):
    """A relation's choices are the records the user may see, as everywhere else."""
    if field is not None and getattr(field, "queryset", None) is not None:
        field.queryset = visible(request.user, field.queryset)
    return field


def apply_limits(form_class, limits: dict, obj) -> None:
    """Narrow the form's choices to ``limits`` (field name → queryset), keeping ``obj``'s current value."""
    for name, allowed in limits.items():
        field = form_class.base_fields.get(name)
        if field is None or getattr(field, "queryset", None) is None:
            continue
        keep = Q(pk__in=allowed.values("pk"))
        if obj is not None and getattr(obj, f"{name}_id", None) is not None:
            keep |= Q(pk=getattr(obj, f"{name}_id"))
        field.queryset = field.queryset.filter(keep)


def refusal_text(exc) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(getattr(exc, "message", None) or exc) or gettext("You are not allowed to do this.")


def _field_errors(exc) -> list[tuple[str | None, list]]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [(field, list(msgs)) for field, msgs in exc.message_dict.items()]
    return [(None, [refusal_text(exc)])]


class TrackedAdmin(admin.ModelAdmin):
    """Asks ``projects.permissions`` for every action and writes through the domain's services."""

    formfield_overrides = {field: {"widget": LocalMapWidget} for field in _GEOMETRY_FIELDS}
    object_history_template = "admin/tracked_history.html"
    change_form_template = "admin/tracked_change_form.html"
    readonly_fields = ("created_at", "updated_at")
    save_service = None  # (actor, instance, data, expected_version) -> record; default: model validation only
    delete_service = None  # (actor, instance, expected_version) -> None
    # A record with a lifecycle shows its next statuses as buttons on its page, each posting to
    # ``transition_service`` (the API's ``…/transition/``) with a comment.
    lifecycle = None
    transition_service = None  # (actor, instance, to, comment, expected_version, **extra) -> record
    transition_permissions: dict = {}  # the service's permission per target status; default TRANSITION
    transition_set_by_tracker: tuple = ()  # targets only the tracker sets (never a button)

    # --- permissions and reads ---
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

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))

    def limit_choices(self, request, obj) -> dict:
        """Per field, the records this user may choose (the domain's rule in queryset form); the
        record's current value stays choosable. The service still decides on save."""
        return {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _visible_choices(field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _visible_choices(field, request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # A status changes only through its lifecycle (the actions), never in the form.
        for name in ("status", "status_changed_at"):
            if name not in fields and any(f.name == name for f in self.model._meta.fields):
                fields.append(name)
        return fields

    # --- the form: remembers the version it was read at, shows the domain's refusals ---
    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        version = getattr(obj, "version", None)

        class TrackedForm(base):
            loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, initial=version)

            def clean(self):
                cleaned = super().clean()
                refusal = getattr(request, "_tracked_refusal", None)
                if refusal is not None:
                    for field, errors in _field_errors(refusal):
                        target = field if field in self.fields else None
                        for error in errors:
                            self.add_error(target, error if target else self._label(field, error))
                return cleaned

            def _label(self, field, error):
                if not field or field == "__all__" or field == "non_field_errors":
                    return error
                try:
                    label = self._meta.model._meta.get_field(field).verbose_name
                except Exception:  # noqa: BLE001 - not a model field (an inline's rows)
                    label = field
                return f"{label}: {error}"

        TrackedForm.__name__ = base.__name__
        apply_limits(TrackedForm, self.limit_choices(request, obj), obj)
        return TrackedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:
            if request.method != "POST":
                raise
            # Nothing was saved (the admin's transaction rolled back): show the form again, as
            # typed, with the refusal beside the field it concerns.
            request._tracked_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    # --- status changes as buttons on the record's page ---
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{info[0]}_{info[1]}_transition",
            )
        ]
        return own + super().get_urls()

    def transition_choices(self, request, obj) -> list[tuple[str, str]]:
        """The statuses the lifecycle allows next that this user may move the record to."""
        if self.lifecycle is None or obj is None:
            return []
        labels = self.lifecycle.labels
        return [
            (to, labels[to])
            for to in self.lifecycle.allowed_from(obj.status)
            if to not in self.transition_set_by_tracker
            and can(request.user, self.transition_permissions.get(to, TRANSITION), obj)
        ]

    def transition_fields(self, request, obj, to) -> dict:
        """Form fields a move to ``to`` takes besides the comment (passed to the service by name)."""
        return {}

    def transition_form(self, request, obj, choices, data=None):
        form = TransitionForm(data)
        form.fields["loaded_version"].initial = getattr(obj, "version", None)
        form.extra_by_target = {}
        for to, label in choices:
            for name, field in self.transition_fields(request, obj, to).items():
                field.required = False  # only the chosen move's fields count; its service says what is missing
                field.help_text = _("For “%(status)s”.") % {"status": label}
                form.fields[name] = field
                form.extra_by_target.setdefault(to, []).append(name)
        return form

    def transition_view(self, request, object_id):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        choices = self.transition_choices(request, obj)
        form = self.transition_form(request, obj, choices, request.POST)
        to = request.POST.get("to")
        if to not in dict(choices):
            self.message_user(request, gettext("This status change is not offered to you."), messages.ERROR)
            return self._change_page_again(request, object_id, form)
        if not form.is_valid():
            return self._change_page_again(request, object_id, form)
        extra = {name: form.cleaned_data.get(name) for name in form.extra_by_target.get(to, [])}
        try:
            with transaction.atomic():
                moved = type(self).transition_service(
                    actor=request.user,
                    instance=obj,
                    to=to,
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data.get("loaded_version"),
                    **{name: value for name, value in extra.items() if value not in (None, "")},
                )
        except REFUSALS as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return self._change_page_again(request, object_id, form)
        self.message_user(
            request,
            gettext("“%(record)s” is now %(status)s.") % {"record": moved, "status": moved.get_status_display()},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    def _change_page_again(self, request, object_id, form):
        """The record's page with the status form as typed (a refusal loses nothing)."""
        request.method = "GET"  # show the page; the POST was the status form, not the record's
        return self.change_view(request, object_id, extra_context={"transition_form": form})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self._geometry_names() and "media" in context:
            context["media"] = context["media"] + LocalMapWidget().media  # the read-only map needs it too
        if obj is not None and self.transition_service is not None and "transition_form" not in context:
            choices = self.transition_choices(request, obj)
            if choices:
                context["transition_form"] = self.transition_form(request, obj, choices)
        form = context.get("transition_form")
        if form is not None:
            context["transition_choices"] = self.transition_choices(request, obj)
            context["transition_url"] = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_transition", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def confirmation_summary(self, obj) -> str:
        """What an action's confirmation page shows for ``obj`` besides its name (safe HTML)."""
        return ""

    def transition_selected(self, request, queryset, *, to, title, extra_fields=None):
        """An action moving every selected record to ``to`` through ``transition_service`` with a
        comment, all or nothing; ``extra_fields`` are the transition's own arguments, asked on the
        confirmation page and passed on by name."""
        service = type(self).transition_service
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=title,
            extra_fields=extra_fields,
            apply=lambda obj, form: service(
                actor=request.user,
                instance=obj,
                to=to,
                comment=form["comment"],
                **{name: form[name] for name in extra_fields or {}},
            ),
        )

    # --- writes through the services ---
    def get_save_service(self):
        return type(self).save_service or plain_save(self.model)

    def get_fields(self, request, obj=None):
        names = [name for name in super().get_fields(request, obj) if name != "loaded_version"]
        if obj is not None and not self.has_change_permission(request, obj):
            # Who may only view sees the shape on a map, not its coordinates as text.
            shapes = self._geometry_names()
            names = ["map_view" if name in shapes else name for name in names]
        return names

    def _geometry_names(self) -> list[str]:
        return [f.name for f in self.model._meta.fields if isinstance(f, gis_models.GeometryField)]

    @admin.display(description=_("Map"))
    def map_view(self, obj):
        name = self._geometry_names()[0]
        value = getattr(obj, name)
        if value is None:
            return "—"
        widget = LocalMapWidget(attrs={"geom_type": value.geom_type, "id": f"id_{name}_view"}, read_only=True)
        return widget.render(f"{name}_view", value)

    def save_model(self, request, obj, form, change):
        """Nothing here: the record and its inline rows are written together in ``save_related``."""

    def save_formset(self, request, form, formset, change):
        """Nothing here: inline rows go to the service with their parent (``service_data``)."""

    def save_related(self, request, form, formsets, change):
        data = self.service_data(request, form, formsets, change)
        expected = form.cleaned_data.get("loaded_version") if change else None
        obj = self.get_save_service()(
            actor=request.user, instance=form.instance if change else None, data=data, expected_version=expected
        )
        request._tracked_saved = obj
        form.instance = obj

    def service_data(self, request, form, formsets, change) -> dict:
        """The fields the form changed (all of them for a new record) and the rows of changed inlines."""
        names = {f.name for f in self.model._meta.get_fields()}
        changed = form.changed_data if change else list(form.cleaned_data)
        data = {name: form.cleaned_data[name] for name in changed if name in names and name in form.cleaned_data}
        inlines = {inline.model: inline for inline in self.get_inline_instances(request, form.instance)}
        for formset in formsets:
            inline = inlines.get(formset.model)
            field = getattr(inline, "service_field", None)
            if field and formset.has_changed():
                data[field] = [
                    inline.service_row(row.cleaned_data)
                    for row in formset.forms
                    if row.cleaned_data
                    and not row.cleaned_data.get("DELETE")
                    and ((row.instance.pk is not None and not row.instance._state.adding) or row.has_changed())
                ]
        return data

    def response_add(self, request, obj, post_url_continue=None):
        return super().response_add(request, getattr(request, "_tracked_saved", obj), post_url_continue)

    def response_change(self, request, obj):
        return super().response_change(request, getattr(request, "_tracked_saved", obj))

    def delete_one(self, request, obj) -> None:
        (type(self).delete_service or plain_delete)(actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        self.delete_one(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as exc:
            if request.method != "POST":
                raise
            self.message_user(request, refusal_text(exc), messages.ERROR)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(url)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_all_or_nothing,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def construct_change_message(self, request, form, formsets, add=False):
        return ""  # the history records the change (inline rows are not saved by Django here)

    def log_addition(self, request, obj, message):
        return None  # ChangeRecord is the history; Django's LogEntry would be a second one

    log_change = log_addition
    log_deletion = log_addition

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        records, names = list(history_of(obj, request.user)[:500]), {}
        for record in records:
            record.readable = readable_changes(record, names)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "records": records,
            "module_name": str(self.model._meta.verbose_name_plural),
            "object": obj,
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


def run_all_or_nothing(modeladmin, request, queryset, apply, done_message) -> bool:
    """Apply ``apply(obj)`` to every selected record in one transaction. If any is refused,
    nothing is kept and every refusal is shown with its reason."""
    refusals = []

    class _Refused(Exception):
        pass

    try:
        with transaction.atomic():
            for obj in queryset:
                try:
                    with transaction.atomic():
                        apply(obj)
                except REFUSALS as exc:
                    refusals.append((obj, exc))
            if refusals:
                raise _Refused
    except _Refused:
        for obj, exc in refusals:
            modeladmin.message_user(request, f"{obj}: {refusal_text(exc)}", messages.ERROR)
        modeladmin.message_user(
            request, _("Nothing was changed: every selected record must be allowed."), messages.WARNING
        )
        return False
    modeladmin.message_user(request, done_message % {"count": len(queryset)}, messages.SUCCESS)
    return True


def delete_all_or_nothing(modeladmin, request, queryset):
    """Django's "delete selected", through the domain's delete service, all or nothing."""
    if not request.POST.get("post"):
        return delete_selected(modeladmin, request, queryset)  # the confirmation page
    run_all_or_nothing(
        modeladmin,
        request,
        queryset,
        lambda obj: modeladmin.delete_one(request, obj),
        _("%(count)d record(s) deleted."),
    )
    return None


delete_all_or_nothing.short_description = delete_selected.short_description
delete_all_or_nothing.allowed_permissions = ("delete",)


class TrackedInline(admin.TabularInline):
    """Rows edited inside their parent's form and written by the parent's service.

    ``service_field`` names the key of the parent service's ``data`` these rows go to;
    ``service_row`` turns one row's cleaned data into what the service takes.
    """

    extra = 0
    service_field = None

    def limit_choices(self, request, obj) -> dict:
        """Per field, the records this user may choose for a row of ``obj`` (the parent, None when new)."""
        return {}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        apply_limits(formset.form, self.limit_choices(request, obj), None)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _visible_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def service_row(self, cleaned: dict) -> dict:
        return {name: cleaned.get(name) for name in self.get_service_fields()}

    def get_service_fields(self):
        readonly = set(self.readonly_fields or ())
        return [name for name in (self.fields or ()) if name not in readonly]

    def _can_change_parent(self, request, obj):
        return can(request.user, CHANGE, obj if obj is not None else self.parent_model)

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW, self.model)

    def has_add_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_change_parent(request, obj)


class LogInline(admin.TabularInline):
    """A read-only log kept by the services (status changes, review comments, update notes).

    Who sees it is the rule's answer through ``has_perm``, not Django's model permissions.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW, self.model)


class TransitionForm(forms.Form):
    """The status buttons' form on a record's page: a comment and the version the page showed."""

    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CommentForm(forms.Form):
    """The intermediate page of admin actions that need a choice and a comment."""

    to = forms.ChoiceField(label=_("New status"), required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def confirm_with_comment(modeladmin, request, queryset, *, title, choices=None, apply, extra_fields=None):
    """Shows a form (target status, comment, and ``extra_fields``); on confirmation calls
    ``apply(obj, cleaned_data)`` for each selected record, all or nothing."""
    form = CommentForm(request.POST if "apply" in request.POST else None)
    for name, field in (extra_fields or {}).items():
        form.fields[name] = field
    form.fields["to"].choices = choices or []
    if choices is None:
        del form.fields["to"]
    if "apply" in request.POST and form.is_valid():
        run_all_or_nothing(
            modeladmin,
            request,
            queryset,
            lambda obj: apply(obj, form.cleaned_data),
            _("%(count)d record(s) updated."),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        # What each record is, in words, so a confirmation is given knowingly (a settlement's figures).
        "summaries": [(obj, modeladmin.confirmation_summary(obj)) for obj in queryset],
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/confirm_with_comment.html", context)
