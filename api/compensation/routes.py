from api.compensation import views


def register(router) -> None:
    router.register("compensation-agreements", views.CompensationAgreementViewSet)
    router.register("settlement-rules", views.SettlementRuleViewSet)
    router.register("monitoring-sections", views.MonitoringSectionViewSet)
    router.register("water-quality-samples", views.WaterSampleViewSet)
    router.register("settlements", views.SettlementViewSet)
    router.register("fund-contributions", views.FundContributionViewSet)
    router.register("fund-allocations", views.FundAllocationViewSet)
    router.register("standards", views.StandardViewSet)
    router.register("ecological-product-types", views.ProductTypeViewSet)
    router.register("ecological-products", views.EcologicalProductViewSet)
    router.register("product-listings", views.ProductListingViewSet)
    router.register("trades", views.TradeViewSet)
    router.register("carbon-coefficients", views.CarbonCoefficientViewSet)
