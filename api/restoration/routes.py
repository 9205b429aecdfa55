from api.restoration import acceptance, views


def register(router) -> None:
    router.register("projects", views.ProjectViewSet)
    router.register("progress-reports", views.ProgressReportViewSet)
    router.register("participation-requests", views.ParticipationRequestViewSet)
    router.register("indicators", views.IndicatorViewSet)
    router.register("measures", views.MeasureTypeViewSet)
    router.register("funding-sources", views.FundingSourceViewSet)
    router.register("ecosystem-elements", views.EcosystemElementViewSet)
    router.register("shoreline-segments", views.ShorelineSegmentViewSet)
    router.register("acceptance-records", acceptance.AcceptanceRecordViewSet)
    router.register("rectification-items", acceptance.RectificationItemViewSet)
