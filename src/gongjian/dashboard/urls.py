from django.urls import path

from gongjian.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("campaign/", views.choose_campaign, name="choose_campaign"),
    path("projects/", views.projects, name="projects"),
    path("unit/<int:unit_id>/", views.unit_view, name="unit"),
    path("leader/", views.leader, name="leader"),
    path("briefing/", views.briefing, name="briefing"),
    path("ranking/", views.ranking, name="ranking"),
]
