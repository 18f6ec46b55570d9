from django.urls import path

from gongjian.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("rounds/new/", views.new_round, name="new_round"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("rounds/<int:round_id>/units/<int:unit_id>/", views.explanation, name="explanation"),
    path("rounds/<int:round_id>/bulletin/", views.bulletin, name="bulletin"),
    path(
        "rounds/<int:round_id>/bulletin/particulars/",
        views.bulletin_particulars,
        name="bulletin_particulars",
    ),
    path("rounds/<int:round_id>/entry/", views.entry, name="entry"),
    path("rounds/<int:round_id>/compute/", views.compute, name="compute"),
    path("rounds/<int:round_id>/publish/", views.publish, name="publish"),
    path("rounds/<int:round_id>/correct/", views.correct, name="correct"),
    path("rounds/<int:round_id>/objections/", views.object_, name="object"),
    path("rounds/<int:round_id>/exemptions/", views.exempt, name="exempt"),
    path(
        "rounds/<int:round_id>/objections/<int:objection_id>/resolve/",
        views.resolve,
        name="resolve",
    ),
    path("units/<int:unit_id>/trend/", views.trend, name="trend"),
]
