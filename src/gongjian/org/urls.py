from django.urls import path

from gongjian.org import views

app_name = "account"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("password/", views.password_change, name="password"),
    path("security-log/", views.security_log, name="security_log"),
    path("security-log.xlsx", views.security_log_xlsx, name="security_log_xlsx"),
]
