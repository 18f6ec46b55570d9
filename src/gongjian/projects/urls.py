from django.urls import path

from gongjian.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("warnings/", views.warnings_page, name="warnings"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("report-template.xlsx", views.report_template, name="report_template"),
    path("import/errors/<str:token>/", views.import_errors, name="import_errors"),
    path("new/", views.new, name="new"),
    path("options/", views.picker_options, name="picker_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/coordination/<int:request_id>/resolve/", views.resolve, name="resolve"),
]
