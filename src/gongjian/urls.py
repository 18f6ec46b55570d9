from django.contrib import admin
from django.urls import include, path

from gongjian import home
from gongjian.api import api
from gongjian.core.files import serve_media
from gongjian.org import sso
from gongjian.org import views as org_views

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", org_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("login/sso/", sso.SsoStartView.as_view(), name="sso_login"),
    path("login/sso/callback/", sso.SsoCallbackView.as_view(), name="sso_callback"),
    path("logout/", sso.LogoutView.as_view(), name="logout"),
    path("account/", include("gongjian.org.urls")),
    path("i18n/setlang/", org_views.set_language, name="set_language"),
    path("dashboard/", include("gongjian.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("ledger/", include("gongjian.projects.urls")),
    path("supervision/", include("gongjian.supervision.urls")),
    path("assessment/", include("gongjian.assessment.urls")),
    path("media/<path:name>", serve_media, name="media"),
]

handler403 = "gongjian.core.http.permission_denied"
handler404 = "gongjian.core.http.page_not_found"
