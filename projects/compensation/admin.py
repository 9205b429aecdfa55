"""The admin face of the compensation app: forms and actions call the same services as the API.

Every save goes to the record's ``<entity>_save`` with the fields the form changed (a sample's
measurements as its inline rows), every delete to its ``<entity>_delete``; status fields are
read-only and change only through actions calling ``<entity>_transition``. A refusal of the
rules is shown on the page and nothing is saved; bulk actions are all or nothing.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from projects.compensation import services
from projects.compensation.choices import (
    AgreementStatus,
    ListingStatus,
    SettlementStatus,
    Side,
    StandardStatus,
    TradeStatus,
)
from projects.compensation.lifecycle import (
    AGREEMENT_LIFECYCLE,
    LISTING_LIFECYCLE,
    SETTLEMENT_LIFECYCLE,
    STANDARD_LIFECYCLE,
    TRADE_LIFECYCLE,
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
from projects.compensation.services import settlements as settlement_services
from projects.compensation.settlement import settlement_words
from projects.core.admin_base import TrackedAdmin, TrackedInline, confirm_with_comment, run_all_or_nothing
from projects.core.admin_imports import ImportAdminMixin
from projects.core.choices import ImportResource


def _transition_action(modeladmin, request, queryset, *, service, to, title, extra_fields=None):
    """An action moving every selected record to ``to`` through ``service``, all or nothing;
    ``extra_fields`` are asked on the confirmation page and passed on by name."""
    return confirm_with_comment(
        modeladmin,
        request,
        queryset,
        title=title,
        extra_fields=extra_fields,
        apply=lambda obj, form: service(
            actor=request.user,
            instance=obj,
            to=to,
            comment=form["comment"],
            **{name: form.get(name) or None for name in extra_fields or {}},
        ),
    )


class CreateOnlyAdmin(TrackedAdmin):
    """Records that are created here and then change only through actions (ledgers, computations)."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


# --- water quality ---------------------------------------------------------------------------------


@admin.register(WaterParameter)
class WaterParameterAdmin(TrackedAdmin):
    list_display = ("code", "unit", "evaluated_for", "plausible_min", "plausible_max")
    save_service = staticmethod(services.parameter_save)
    delete_service = staticmethod(services.parameter_delete)


@admin.register(QualityLimit)
class QualityLimitAdmin(TrackedAdmin):
    list_display = ("parameter", "waterbody", "water_class", "comparator", "limit", "upper_limit")
    list_filter = ("parameter", "waterbody", "water_class")
    save_service = staticmethod(services.limit_save)
    delete_service = staticmethod(services.limit_delete)


@admin.register(MonitoringSection)
class MonitoringSectionAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "river", "corridor", "waterbody", "target_class", "is_national")
    list_filter = ("waterbody", "target_class", "corridor")
    search_fields = ("code", "name_zh", "name_en", "river")
    list_select_related = ("corridor",)
    filter_horizontal = ("responsible_organizations",)
    save_service = staticmethod(services.section_save)
    delete_service = staticmethod(services.section_delete)


class MeasurementInline(TrackedInline):
    """A sample's measurements, written with it by ``sample_save`` (which checks them)."""

    model = Measurement
    fields = ("parameter", "value", "unit", "below_detection_limit", "detection_limit")
    service_field = "measurements"


def _import_samples(request, file, dry_run):
    return services.sample_import_csv(actor=request.user, file=file, dry_run=dry_run)


@admin.register(WaterSample)
class WaterSampleAdmin(ImportAdminMixin, TrackedAdmin):
    import_runner = staticmethod(_import_samples)
    import_resource = ImportResource.WATER_SAMPLES
    import_help = _(
        "One measurement per row: section, sampled_on, parameter, value, unit, and optionally source, "
        "detection_limit and note; the rows of a section, day and source make one sample."
    )
    list_display = ("section", "sampled_on", "source", "water_class", "limiting_parameters")
    list_filter = ("section", "source", "water_class")
    date_hierarchy = "sampled_on"
    list_select_related = ("section",)
    fields = ("section", "sampled_on", "source", "note", "water_class", "limiting_parameters")
    readonly_fields = ("water_class", "limiting_parameters", *TrackedAdmin.readonly_fields)
    inlines = [MeasurementInline]
    save_service = staticmethod(services.sample_save)
    delete_service = staticmethod(services.sample_delete)


# --- agreements and settlements ----------------------------------------------------------------------


@admin.register(SettlementRule)
class SettlementRuleAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "kind", "amount_met", "amount_missed", "verified")
    list_filter = ("kind", "verified")
    search_fields = ("code", "name_zh", "name_en")
    save_service = staticmethod(services.rule_save)
    delete_service = staticmethod(services.rule_delete)


@admin.register(CompensationAgreement)
class CompensationAgreementAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "river", "upstream_province", "downstream_province", "start_date", "status")
    list_filter = ("status", "corridor")
    search_fields = ("code", "name_zh", "river")
    list_select_related = ("upstream_province", "downstream_province")
    filter_horizontal = ("sections",)
    readonly_fields = ("supersedes", "is_demo", *TrackedAdmin.readonly_fields)
    actions = ["revise", "put_in_force", "mark_expired", "terminate"]
    save_service = staticmethod(services.agreement_save)
    delete_service = staticmethod(services.agreement_delete)
    lifecycle = AGREEMENT_LIFECYCLE
    transition_service = staticmethod(services.agreement_transition)

    @admin.action(description=_("Make a new version of the selected agreements (a draft to change)"))
    def revise(self, request, queryset):
        run_all_or_nothing(
            self,
            request,
            queryset,
            lambda agreement: services.agreement_revise(actor=request.user, instance=agreement, data={}),
            _("%(count)d new version(s) made as drafts; change them, then put them in force."),
        )

    def _move(self, request, queryset, to, title):
        return _transition_action(self, request, queryset, service=services.agreement_transition, to=to, title=title)

    @admin.action(description=_("Put the selected agreements in force"))
    def put_in_force(self, request, queryset):
        return self._move(request, queryset, AgreementStatus.IN_FORCE, _("Put in force"))

    @admin.action(description=_("Mark the selected agreements expired"))
    def mark_expired(self, request, queryset):
        return self._move(request, queryset, AgreementStatus.EXPIRED, _("Mark expired"))

    @admin.action(description=_("Terminate the selected agreements"))
    def terminate(self, request, queryset):
        return self._move(request, queryset, AgreementStatus.TERMINATED, _("Terminate"))


def _side_field():
    return forms.ChoiceField(
        label=_("Party"),
        choices=[("", "—"), *Side.choices],
        required=False,
        help_text=_("Needed only when both parties are in your province."),
    )


@admin.register(Settlement)
class SettlementAdmin(CreateOnlyAdmin):
    """Opened here (agreement and period), computed by the task; recomputed and confirmed by actions."""

    list_display = ("agreement", "period", "status", "payer", "amount", "computed_at")
    list_filter = ("status", "agreement")
    list_select_related = ("agreement",)
    fields = (
        "agreement",
        "period",
        "status",
        "payer_display",
        "amount_display",
        "steps_display",
        "inputs_display",
        "computed_at",
        "upstream_confirmed_by",
        "upstream_confirmed_at",
        "downstream_confirmed_by",
        "downstream_confirmed_at",
    )
    readonly_fields = (
        "payer_display",
        "amount_display",
        "steps_display",
        "inputs_display",
        "computed_at",
        "upstream_confirmed_by",
        "upstream_confirmed_at",
        "downstream_confirmed_by",
        "downstream_confirmed_at",
        *TrackedAdmin.readonly_fields,
    )
    actions = ["recompute", "confirm"]
    save_service = staticmethod(services.settlement_save)
    delete_service = staticmethod(services.settlement_delete)
    lifecycle = SETTLEMENT_LIFECYCLE
    transition_service = staticmethod(services.settlement_transition)
    transition_permissions = settlement_services.TRANSITION_PERMISSIONS

    def transition_fields(self, request, obj, to):
        return {"side": _side_field()} if to == SettlementStatus.CONFIRMED else {}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "agreement__upstream_province",
                "agreement__downstream_province",
                "agreement__upstream_division",
                "agreement__downstream_division",
            )
        )

    # What the parties confirm, in words: who pays whom, how much, and how it was reached.
    @admin.display(description=_("payer"))
    def payer_display(self, obj):
        return settlement_words(obj)["payer"]

    @admin.display(description=_("amount"))
    def amount_display(self, obj):
        return settlement_words(obj)["amount"]

    @admin.display(description=_("calculation steps"))
    def steps_display(self, obj):
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((t,) for t in settlement_words(obj)["steps"]))
        )

    @admin.display(description=_("inputs"))
    def inputs_display(self, obj):
        rows = settlement_words(obj)["inputs"]
        return format_html(
            "<table><tbody>{}</tbody></table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def confirmation_summary(self, obj):
        return format_html(
            "{} — {}<br>{}{}",
            self.payer_display(obj),
            self.amount_display(obj),
            self.steps_display(obj),
            self.inputs_display(obj),
        )

    @admin.action(description=_("Recompute the selected settlements"))
    def recompute(self, request, queryset):
        return _transition_action(
            self,
            request,
            queryset,
            service=services.settlement_transition,
            to=SettlementStatus.COMPUTED,
            title=_("Recompute"),
        )

    @admin.action(description=_("Confirm the selected settlements for my party"))
    def confirm(self, request, queryset):
        return _transition_action(
            self,
            request,
            queryset,
            service=services.settlement_transition,
            to=SettlementStatus.CONFIRMED,
            title=_("Confirm"),
            extra_fields={"side": _side_field()},
        )


# --- the fund ---------------------------------------------------------------------------------------


@admin.register(CompensationFund)
class CompensationFundAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "is_demo")
    save_service = staticmethod(services.fund_save)
    delete_service = staticmethod(services.fund_delete)


@admin.register(FundContribution)
class FundContributionAdmin(TrackedAdmin):
    """Each movement locks its fund and refuses to overdraw it, as through the API."""

    list_display = ("received_on", "contributor", "amount", "fund")
    list_filter = ("fund", "contributor__province")
    list_select_related = ("contributor", "fund")
    date_hierarchy = "received_on"
    save_service = staticmethod(services.fund_contribution_save)
    delete_service = staticmethod(services.fund_contribution_delete)


@admin.register(FundAllocation)
class FundAllocationAdmin(TrackedAdmin):
    list_display = ("allocated_on", "province", "corridor", "key_area", "project", "amount", "fund")
    list_filter = ("fund", "province", "corridor")
    list_select_related = ("province", "corridor", "key_area", "project", "fund")
    date_hierarchy = "allocated_on"
    raw_id_fields = ("project",)
    save_service = staticmethod(services.fund_allocation_save)
    delete_service = staticmethod(services.fund_allocation_delete)


# --- standards --------------------------------------------------------------------------------------


@admin.register(Standard)
class StandardAdmin(TrackedAdmin):
    list_display = ("code", "title_zh", "issuer", "kind", "status", "effective_date")
    list_filter = ("issuer", "status", "kind")
    search_fields = ("code", "title_zh", "title_en")
    filter_horizontal = ("elements", "measures", "replaces")
    raw_id_fields = ("projects",)
    readonly_fields = ("is_demo", *TrackedAdmin.readonly_fields)
    actions = ["publish", "supersede"]
    save_service = staticmethod(services.standard_save)
    delete_service = staticmethod(services.standard_delete)
    lifecycle = STANDARD_LIFECYCLE
    transition_service = staticmethod(services.standard_transition)

    @admin.action(description=_("Publish the selected standards"))
    def publish(self, request, queryset):
        return _transition_action(
            self,
            request,
            queryset,
            service=services.standard_transition,
            to=StandardStatus.PUBLISHED,
            title=_("Publish"),
        )

    @admin.action(description=_("Mark the selected standards superseded"))
    def supersede(self, request, queryset):
        return _transition_action(
            self,
            request,
            queryset,
            service=services.standard_transition,
            to=StandardStatus.SUPERSEDED,
            title=_("Supersede"),
        )


# --- products and trades ------------------------------------------------------------------------------


@admin.register(ProductType)
class ProductTypeAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "default_unit")
    save_service = staticmethod(services.product_type_save)
    delete_service = staticmethod(services.product_type_delete)


@admin.register(EcologicalProduct)
class EcologicalProductAdmin(TrackedAdmin):
    """The quantity never drops below what is sold: checked by ``product_save`` under the product's lock."""

    list_display = ("name", "product_type", "project", "quantity", "unit", "vintage", "owner")
    list_filter = ("product_type", "vintage", "owner__province")
    list_select_related = ("product_type", "project", "owner")
    raw_id_fields = ("project",)
    readonly_fields = ("is_demo", *TrackedAdmin.readonly_fields)
    save_service = staticmethod(services.product_save)
    delete_service = staticmethod(services.product_delete)


@admin.register(ProductListing)
class ProductListingAdmin(TrackedAdmin):
    list_display = ("product", "quantity", "asking_price", "listed_on", "status")
    list_filter = ("status",)
    list_select_related = ("product",)
    actions = ["close", "withdraw"]
    save_service = staticmethod(services.listing_save)
    delete_service = staticmethod(services.listing_delete)
    lifecycle = LISTING_LIFECYCLE
    transition_service = staticmethod(services.listing_transition)

    @admin.action(description=_("Close the selected listings"))
    def close(self, request, queryset):
        return _transition_action(
            self, request, queryset, service=services.listing_transition, to=ListingStatus.CLOSED, title=_("Close")
        )

    @admin.action(description=_("Withdraw the selected listings"))
    def withdraw(self, request, queryset):
        return _transition_action(
            self,
            request,
            queryset,
            service=services.listing_transition,
            to=ListingStatus.WITHDRAWN,
            title=_("Withdraw"),
        )


@admin.register(Trade)
class TradeAdmin(CreateOnlyAdmin):
    """The ledger: a trade is recorded here like through the API, then settled or cancelled; never edited."""

    list_display = ("traded_on", "product", "seller", "buyer", "quantity", "unit_price", "amount", "status")
    list_filter = ("status",)
    list_select_related = ("product", "seller", "buyer")
    fields = ("product", "listing", "buyer", "quantity", "unit_price", "traded_on", "note", "seller", "amount")
    readonly_fields = ("seller", "amount", *TrackedAdmin.readonly_fields)
    actions = ["settle", "cancel"]
    save_service = staticmethod(services.trade_save)
    delete_service = None  # the ledger keeps every trade; cancel instead
    lifecycle = TRADE_LIFECYCLE
    transition_service = staticmethod(services.trade_transition)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected trades settled"))
    def settle(self, request, queryset):
        return _transition_action(
            self, request, queryset, service=services.trade_transition, to=TradeStatus.SETTLED, title=_("Settle")
        )

    @admin.action(description=_("Cancel the selected trades"))
    def cancel(self, request, queryset):
        return _transition_action(
            self, request, queryset, service=services.trade_transition, to=TradeStatus.CANCELLED, title=_("Cancel")
        )


# --- carbon -------------------------------------------------------------------------------------------


@admin.register(CarbonCoefficient)
class CarbonCoefficientAdmin(TrackedAdmin):
    list_display = ("element", "tco2e_per_ha_year", "source", "verified")
    list_filter = ("verified",)
    list_select_related = ("element",)
    save_service = staticmethod(services.carbon_coefficient_save)
    delete_service = staticmethod(services.carbon_coefficient_delete)
