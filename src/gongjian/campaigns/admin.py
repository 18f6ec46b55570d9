"""Campaigns and lines in the admin, for the office that owns them (thresholds included)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.history import record
from gongjian.org.admin_scope import ScopedAdmin
from gongjian.org.scope import Action


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    fields = ("name", "lead_unit", "sort_order")
    autocomplete_fields = ("lead_unit",)


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    scope_via = "owner"
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = ("name", "owner", "start_date", "end_date", "warn_yellow_gap", "warn_red_gap")
    list_select_related = ("owner",)
    inlines = [LineInline]
    autocomplete_fields = ("owner",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        record(
            obj,
            actor=request.user,
            reason="管理后台修改攻坚行动" if change else "管理后台新建攻坚行动",
        )
        super().save_model(request, obj, form, change)


@admin.register(Line)
class LineAdmin(ScopedAdmin):
    scope_via = "campaign__owner"
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = ("name", "campaign", "lead_unit", "sort_order")
    list_select_related = ("campaign", "lead_unit")
    filter_horizontal = ("covered_units",)
