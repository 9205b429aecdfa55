from django.contrib.auth import views as auth_views
from django.urls import include, path

from projects.workspace.views import tasks

app_name = "workspace"

urlpatterns = [
    path("", tasks.my_work, name="my-work"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="workspace/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="workspace:login"), name="logout"),
    path("tasks/reports/new/", tasks.report_edit, name="report-new"),
    path("tasks/reports/<uuid:pk>/", tasks.report_edit, name="report-edit"),
    path("tasks/reports/<uuid:pk>/review/", tasks.report_review, name="report-review"),
    path("tasks/attachments/<uuid:pk>/", tasks.attachment_file, name="attachment"),
    path("tasks/plans/<uuid:pk>/submit/", tasks.plan_submit, name="plan-submit"),
    path("tasks/settlements/<uuid:pk>/confirm/", tasks.settlement_confirm, name="settlement-confirm"),
    path("tasks/actions/<uuid:pk>/", tasks.action_update, name="action-update"),
    path("", include("projects.workspace.urls_figures")),
]
