"""URLs of the supervision pages (mounted at /supervision/)."""

from django.urls import path

from gongjian.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("todo/", views.todo, name="todo"),
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
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
]
