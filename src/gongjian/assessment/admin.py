"""Admin for plans (editable until a round of them is published) and rounds (read-only once published)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongjian.assessment.models import (
    AssessmentEvent,
    Indicator,
    Objection,
    Plan,
    PlanGroup,
    PlanLine,
    PlanMember,
    Round,
    RoundState,
    UnitResult,
)
from gongjian.org.admin_scope import ScopedAdmin
from gongjian.org.scope import Action


class _LockedPlanInline(admin.TabularInline):
    extra = 0

    def _locked(self, obj: Any) -> bool:
        return obj is not None and obj.is_locked

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class GroupInline(_LockedPlanInline):
    model = PlanGroup
    fields = ("name", "sort_order")


class MemberInline(_LockedPlanInline):
    model = PlanMember
    fields = ("group", "unit", "sort_order")
    autocomplete_fields = ("unit",)


class LineInline(_LockedPlanInline):
    model = PlanLine
    fields = ("name", "line", "sort_order")


class IndicatorInline(_LockedPlanInline):
    model = Indicator
    fields = ("line", "code", "name", "method", "weight", "full_marks", "params", "source")


@admin.register(Plan)
class PlanAdmin(ScopedAdmin):
    scope_via = "campaign__owner"
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = ("name", "edition", "campaign", "precision", "missing_rule", "report_style")
    list_filter = ("campaign",)
    search_fields = ("name", "campaign__name")
    inlines = [GroupInline, MemberInline, LineInline, IndicatorInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)


class ResultInline(admin.TabularInline):
    model = UnitResult
    fields = ("group", "rank", "tied", "unit", "score", "grade", "veto")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("group", "rank")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ScopedAdmin):
    """Rounds are computed and published through their services; the admin only shows them."""

    scope_via = "plan__campaign__owner"
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = ("__str__", "period", "edition", "state", "computed_at", "published_at")
    list_filter = ("state", "period")
    fields = ("plan", "period", "title", "edition", "corrects", "correction_reason", "state")
    inlines = [ResultInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rounds are created through their service (page, API, command)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("edition", "corrects", "correction_reason", "state")
        if obj.state == RoundState.PUBLISHED:
            return self.fields
        return ("plan", "period", "edition", "corrects", "correction_reason", "state")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.state == RoundState.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.state == RoundState.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Objection)
class ObjectionAdmin(ScopedAdmin):
    list_display = ("unit", "round", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = ("round", "unit", "reason", "raised_by", "state", "reply", "resolved_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ScopedAdmin):
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = ("date", "unit", "kind", "title", "reference")
    list_filter = ("kind",)
    search_fields = ("title", "unit__name", "reference")
    autocomplete_fields = ("unit",)
