"""The ledger in the admin: read-only, scoped. Edits go through the ledger pages, API and Excel,
where the services check rights, validate, lock versions and record the reason."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongjian.org.admin_scope import ScopedAdmin
from gongjian.org.scope import Action
from gongjian.projects.models import CoordinationRequest, Milestone, ProgressReport, Project


class ReadOnlyLedgerAdmin(ScopedAdmin):
    scope_action = Action.EDIT_LEDGER

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyLedgerAdmin):
    list_display = ("code", "name", "level", "unit", "leader", "status", "percent_done")
    list_filter = ("level", "status", "campaign")
    search_fields = ("code", "name", "owner")
    list_select_related = ("unit", "leader")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyLedgerAdmin):
    scope_via = "project__unit"
    list_display = ("project", "seq", "name", "planned_date", "actual_date", "person")
    list_select_related = ("project", "person")
    search_fields = ("project__code", "name")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyLedgerAdmin):
    scope_via = "project__unit"
    list_display = ("project", "period_end", "percent_done", "investment_to_date_wan")
    list_select_related = ("project",)
    search_fields = ("project__code",)


@admin.register(CoordinationRequest)
class CoordinationRequestAdmin(ReadOnlyLedgerAdmin):
    scope_via = "project__unit"
    list_display = ("project", "category", "handling_unit", "status", "deadline")
    list_filter = ("category", "status")
    list_select_related = ("project", "handling_unit")
