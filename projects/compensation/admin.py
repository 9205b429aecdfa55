"""The admin face of the compensation app: the same rules and services as the API.

Plain records (reference tables, agreements, rules, standards, products …) are edited with
``TrackedAdmin``. Records with rules of their own are read-only here and change through
actions that call the services: settlements (recompute, confirm), trades (settle, cancel),
standards and agreements (status changes). Samples are entered through the API or the CSV
upload, where their measurements are checked; the admin shows them and deletes through the
service. Fund movements lock the fund and check the balance like the API does.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from projects.compensation import services
from projects.compensation.choices import (
    AgreementStatus,
    SettlementStatus,
    StandardStatus,
    TradeStatus,
)
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    Measurement,
    MonitoringSection,
    ProductListing,
    ProductType,
    QualityLimit,
    Settlement,
    SettlementRule,
    Standard,
    Trade,
    WaterParameter,
    WaterSample,
)
from projects.core.admin_base import LegacyTrackedAdmin as TrackedAdmin
from projects.core.errors import DomainError


def _run(modeladmin, request, queryset, call, done_message):
    """Apply a service to each selected record; refusals become messages, not errors."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except (DomainError, PermissionDenied, ValidationError) as exc:
            text = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


class ReadOnlyTrackedAdmin(TrackedAdmin):
    """Shown in full, changed only through the actions (services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaterParameter)
class WaterParameterAdmin(TrackedAdmin):
    list_display = ("code", "unit", "evaluated_for", "plausible_min", "plausible_max")


@admin.register(QualityLimit)
class QualityLimitAdmin(TrackedAdmin):
    list_display = ("parameter", "waterbody", "water_class", "comparator", "limit", "upper_limit")
    list_filter = ("parameter", "waterbody", "water_class")


@admin.register(MonitoringSection)
class MonitoringSectionAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "river", "corridor", "waterbody", "target_class", "is_national")
    list_filter = ("waterbody", "target_class", "corridor")
    search_fields = ("code", "name_zh", "name_en", "river")
    list_select_related = ("corridor",)
    filter_horizontal = ("responsible_organizations",)


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    can_delete = False
    fields = ("parameter", "value", "unit", "below_detection_limit", "detection_limit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WaterSample)
class WaterSampleAdmin(ReadOnlyTrackedAdmin):
    list_display = ("section", "sampled_on", "source", "water_class", "limiting_parameters")
    list_filter = ("section", "source", "water_class")
    date_hierarchy = "sampled_on"
    list_select_related = ("section",)
    inlines = [MeasurementInline]

    def delete_model(self, request, obj):
        services.sample_delete(actor=request.user, sample=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.sample_delete(actor=request.user, sample=obj)


@admin.register(SettlementRule)
class SettlementRuleAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "kind", "amount_met", "amount_missed", "verified")
    list_filter = ("kind", "verified")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(CompensationAgreement)
class CompensationAgreementAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "river", "upstream_province", "downstream_province", "start_date", "status")
    list_filter = ("status", "corridor")
    search_fields = ("code", "name_zh", "river")
    list_select_related = ("upstream_province", "downstream_province")
    filter_horizontal = ("sections",)
    readonly_fields = (*TrackedAdmin.readonly_fields, "status")
    actions = ["put_in_force", "mark_expired"]

    @admin.action(description=_("Put the selected agreements in force"))
    def put_in_force(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.agreement_transition(actor=request.user, agreement=a, to=AgreementStatus.IN_FORCE),
            _("%(count)d agreements put in force."),
        )

    @admin.action(description=_("Mark the selected agreements expired"))
    def mark_expired(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.agreement_transition(actor=request.user, agreement=a, to=AgreementStatus.EXPIRED),
            _("%(count)d agreements marked expired."),
        )


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyTrackedAdmin):
    list_display = ("agreement", "period", "status", "payer", "amount", "computed_at")
    list_filter = ("status", "agreement")
    list_select_related = ("agreement",)
    actions = ["recompute", "confirm"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.status != SettlementStatus.CONFIRMED)

    @admin.action(description=_("Recompute the selected settlements"))
    def recompute(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: services.settlement_recompute(actor=request.user, settlement=s),
            _("%(count)d settlements queued for recomputation."),
        )

    @admin.action(description=_("Confirm the selected settlements for my party"))
    def confirm(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: services.settlement_confirm(actor=request.user, settlement=s),
            _("%(count)d settlements confirmed."),
        )


@admin.register(CompensationFund)
class CompensationFundAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "is_demo")


class FundMovementAdmin(TrackedAdmin):
    """Locks the fund and refuses a movement that would overdraw it, as the API does."""

    def save_model(self, request, obj, form, change):
        services.lock_fund(obj.fund_id)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.check_fund_balance(form.instance.fund)

    def delete_model(self, request, obj):
        services.fund_movement_delete(actor=request.user, instance=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(FundContribution)
class FundContributionAdmin(FundMovementAdmin):
    list_display = ("received_on", "contributor", "amount", "fund")
    list_filter = ("fund", "contributor__province")
    list_select_related = ("contributor", "fund")
    date_hierarchy = "received_on"


@admin.register(FundAllocation)
class FundAllocationAdmin(FundMovementAdmin):
    list_display = ("allocated_on", "province", "corridor", "key_area", "project", "amount", "fund")
    list_filter = ("fund", "province", "corridor")
    list_select_related = ("province", "corridor", "key_area", "project", "fund")
    date_hierarchy = "allocated_on"
    raw_id_fields = ("project",)


@admin.register(Standard)
class StandardAdmin(TrackedAdmin):
    list_display = ("code", "title_zh", "issuer", "kind", "status", "effective_date")
    list_filter = ("issuer", "status", "kind")
    search_fields = ("code", "title_zh", "title_en")
    filter_horizontal = ("elements", "measures", "replaces")
    raw_id_fields = ("projects",)
    actions = ["publish", "supersede"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "status") if obj is not None else fields

    @admin.action(description=_("Publish the selected standards"))
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: services.standard_transition(actor=request.user, standard=s, to=StandardStatus.PUBLISHED),
            _("%(count)d standards published."),
        )

    @admin.action(description=_("Mark the selected standards superseded"))
    def supersede(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: services.standard_transition(actor=request.user, standard=s, to=StandardStatus.SUPERSEDED),
            _("%(count)d standards superseded."),
        )


@admin.register(ProductType)
class ProductTypeAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "default_unit")


@admin.register(EcologicalProduct)
class EcologicalProductAdmin(TrackedAdmin):
    list_display = ("name", "product_type", "project", "quantity", "unit", "vintage", "owner")
    list_filter = ("product_type", "vintage", "owner__province")
    list_select_related = ("product_type", "project", "owner")
    raw_id_fields = ("project",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class ProductForm(form):
            def clean_quantity(self):
                quantity = self.cleaned_data["quantity"]
                if self.instance.pk is not None:
                    sold = services.sold_quantity(self.instance)
                    if quantity is not None and quantity < sold:
                        raise ValidationError(_("%(sold)s of it are sold already.") % {"sold": sold})
                return quantity

        return ProductForm

    def save_model(self, request, obj, form, change):
        if change:
            # Lock the product as the trade service does, and check again under the lock.
            services.lock_product_for_quantity(obj)
        super().save_model(request, obj, form, change)


@admin.register(ProductListing)
class ProductListingAdmin(TrackedAdmin):
    list_display = ("product", "quantity", "asking_price", "listed_on", "status")
    list_filter = ("status",)
    list_select_related = ("product",)


@admin.register(Trade)
class TradeAdmin(ReadOnlyTrackedAdmin):
    list_display = ("traded_on", "product", "seller", "buyer", "quantity", "unit_price", "amount", "status")
    list_filter = ("status",)
    list_select_related = ("product", "seller", "buyer")
    actions = ["settle", "cancel"]

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger keeps every trade; cancel instead

    @admin.action(description=_("Mark the selected trades settled"))
    def settle(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda t: services.trade_transition(actor=request.user, trade=t, to=TradeStatus.SETTLED),
            _("%(count)d trades settled."),
        )

    @admin.action(description=_("Cancel the selected trades"))
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda t: services.trade_transition(actor=request.user, trade=t, to=TradeStatus.CANCELLED),
            _("%(count)d trades cancelled."),
        )


@admin.register(CarbonCoefficient)
class CarbonCoefficientAdmin(TrackedAdmin):
    list_display = ("element", "tco2e_per_ha_year", "source", "verified")
    list_filter = ("verified",)
    list_select_related = ("element",)
