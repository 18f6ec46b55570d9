from django.urls import path

from gongjian.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("warnings/", views.warnings_page, name="warnings"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/coordination/<int:request_id>/resolve/", views.resolve, name="resolve"),
]
