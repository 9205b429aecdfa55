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
    path("", include("projects.workspace.urls_figures")),
]
