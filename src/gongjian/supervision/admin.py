"""Admin for supervision data, limited to the office's own tree (ScopedAdmin).

Orders and their trail are changed only through the services (the pages and the API), so the
admin shows them read-only; webhooks are configured here, and failed deliveries can be re-queued.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.org.admin_scope import ScopedAdmin
from gongjian.org.scope import Action, scope_for
from gongjian.supervision import webhooks
from gongjian.supervision.models import (
    FieldVisit,
    Inspection,
    Notice,
    OrderEvent,
    RobotPost,
    ServiceTeam,
    SupervisionOrder,
    SupervisionSettings,
    UnitWebhook,
    WebhookDelivery,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = (
        "at",
        "kind",
        "actor",
        "from_state",
        "to_state",
        "old_deadline",
        "new_deadline",
        "note",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnly, ScopedAdmin):
    list_display = ("code", "title", "unit", "state", "level", "deadline", "overdue_on")
    list_filter = ("state", "level", "source")
    search_fields = ("code", "title", "unit__name")
    inlines = [OrderEventInline]


@admin.register(Notice)
class NoticeAdmin(ReadOnly, ScopedAdmin):
    list_display = ("title", "kind", "unit", "state", "published_on")
    list_filter = ("kind", "state")


@admin.register(Inspection)
class InspectionAdmin(ReadOnly, ScopedAdmin):
    list_display = ("inspected_on", "kind", "unit", "project", "team")
    list_filter = ("kind",)


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(ScopedAdmin):
    """督办设置 per campaign: 领导审核 before issue, the yellow light's working days, 回访 days."""

    scope_via = "campaign__owner"
    scope_action = Action.MANAGE_CAMPAIGN
    list_display = (
        "campaign",
        "approval_required",
        "yellow_working_days",
        "revisit_after_days",
        "visit_every_days",
    )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "campaign":
            from gongjian.campaigns.models import Campaign

            kwargs["queryset"] = scope_for(request.user).filter(
                Campaign.objects.all(), Action.MANAGE_CAMPAIGN, via="owner"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(UnitWebhook)
class UnitWebhookAdmin(ScopedAdmin):
    list_display = ("unit", "kind", "is_active", "rate_per_minute")
    scope_action = Action.MANAGE_ORG


@admin.action(description=_l("重新加入发送队列"))
def requeue(modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
    for row in queryset:
        webhooks.requeue(row)
    messages.success(request, _("已重新排队 %(n)s 条。") % {"n": queryset.count()})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    scope_via = "webhook__unit"
    list_display = (
        "created_at",
        "webhook",
        "topic",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "topic")
    readonly_fields = (
        "webhook",
        "reminder",
        "topic",
        "period_key",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "created_at",
        "log",
    )
    actions = [requeue]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FieldVisit)
class FieldVisitAdmin(ReadOnly, ScopedAdmin):
    """Visits are recorded and turned over on the pages (supervision.visits); shown here only."""

    scope_via = "recording_unit"
    list_display = ("visited_on", "kind", "subject", "leader", "team", "recording_unit")


@admin.register(ServiceTeam)
class ServiceTeamAdmin(ReadOnly, ScopedAdmin):
    """Teams are set up on the 服务小组 page (supervision.visits.create_team)."""

    list_display = ("name", "unit", "head")


@admin.register(RobotPost)
class RobotPostAdmin(ScopedAdmin):
    """Each request to a robot (what its rate limit counts) and the robot's answer; read-only."""

    scope_via = "webhook__unit"
    list_display = ("at", "webhook", "messages", "error")
    readonly_fields = ("webhook", "at", "messages", "error")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
