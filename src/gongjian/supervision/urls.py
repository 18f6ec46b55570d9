"""URLs of the supervision pages (mounted at /supervision/)."""

from django.urls import path

from gongjian.supervision import views, visit_views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("todo/", views.todo, name="todo"),
    path("todo/<slug:section>/", views.todo_section, name="todo_section"),
    path("orders/new/", views.issue, name="issue"),
    path("orders/<int:pk>/", views.detail, name="detail"),
    path("orders/<int:pk>/<str:name>/", views.step, name="step"),
    path("orders.xlsx", views.export_orders, name="export_orders"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/edit/", views.edit_notice, name="edit_notice"),
    path("notices/<int:pk>/publish/", views.publish_notice, name="publish_notice"),
    path("notices.xlsx", views.export_notices, name="export_notices"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/draw/", views.draw, name="draw"),
    path("hazards/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("instructions/", views.instructions, name="instructions"),
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/new/", visit_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit"),
    path("visit-items/<int:pk>/<str:to>/", visit_views.item_convert, name="item_convert"),
    path("teams/", visit_views.teams, name="teams"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
]
