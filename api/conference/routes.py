from api.conference import views


def register(router) -> None:
    router.register("meetings", views.MeetingViewSet)
    router.register("decisions", views.DecisionViewSet)
    router.register("action-items", views.ActionItemViewSet)
    router.register("annual-plans", views.AnnualPlanViewSet)
    router.register("plan-items", views.PlanItemViewSet)
    router.register("experts", views.ExpertViewSet)
    router.register("expert-reviews", views.ExpertReviewViewSet)
    router.register("review-packs", views.ReviewPackViewSet)
    router.register("corridor-plans", views.CorridorPlanViewSet)
    router.register("corridor-targets", views.CorridorTargetViewSet)
