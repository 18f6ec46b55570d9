from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gongjian.core import audit
from gongjian.org.admin_scope import ScopedAdmin
from gongjian.org.models import LeaderLink, Person, RoleGrant, Unit, UnitAlias, User
from gongjian.org.names import name_key
from gongjian.org.scope import Action, scope_for


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1
    fields = ("alias",)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    scope_via = ""
    list_display = ("name", "kind", "parent", "depth", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "aliases__alias")
    autocomplete_fields = ("parent",)
    inlines = [UnitAliasInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # Search by the tolerant key too, so 區工信局(招商辦) finds 区工信局（招商办）.
        qs, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            key = name_key(search_term)
            qs = qs | queryset.filter(
                Q(name_key__contains=key) | Q(aliases__name_key__contains=key)
            )
            distinct = True
        return qs, distinct


class LeaderLinkInline(admin.TabularInline):
    model = LeaderLink
    extra = 1
    autocomplete_fields = ("unit",)


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "post", "unit", "phone", "is_leader")
    list_filter = ("is_leader",)
    search_fields = ("name", "post", "unit__name", "unit__aliases__alias")
    autocomplete_fields = ("unit",)
    inlines = [LeaderLinkInline]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "display_name", "unit", "is_active", "is_superuser")
    search_fields = (
        "username",
        "display_name",
        "employee_number",
        "unit__name",
        "unit__aliases__alias",
    )
    autocomplete_fields = ("unit", "person")
    inlines = [RoleGrantInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("单位与角色"), {"fields": ("display_name", "employee_number", "unit", "person")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_for(request.user).filter(super().get_queryset(request), Action.MANAGE_ORG)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.password_changed_at = None  # set by the administrator: changed at first login
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not RoleGrant:
            return
        # Role changes are permission changes: the security log has each one (等保 安全审计).
        changed = [g for g, _fields in formset.changed_objects]
        for kind, grants in (
            (audit.EventKind.ROLE_GRANTED, [*formset.new_objects, *changed]),
            (audit.EventKind.ROLE_REVOKED, formset.deleted_objects),
        ):
            for grant in grants:
                audit.record(
                    kind, request=request, target=form.instance.username, detail=grant.role
                )


@admin.register(UnitAlias)
class UnitAliasAdmin(ScopedAdmin):
    list_display = ("alias", "unit")
    search_fields = ("alias", "unit__name")
    autocomplete_fields = ("unit",)
