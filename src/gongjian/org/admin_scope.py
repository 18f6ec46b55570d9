"""Admin pages that obey data scope: an office admin sees and changes only its own tree."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from gongjian.org.scope import Action, is_office, scope_for


class ScopedAdmin(SimpleHistoryAdmin):
    """`scope_via` names the relation to Unit ("" when the model is Unit itself)."""

    scope_via = "unit"
    scope_action = Action.MANAGE_ORG

    def _is_office(self, request: HttpRequest) -> bool:
        return is_office(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return scope_for(request.user).filter(qs, Action.VIEW, via=self.scope_via)

    def _object_unit(self, obj: Any) -> Any:
        if not self.scope_via:
            return obj
        target = obj
        for part in self.scope_via.split("__"):
            target = getattr(target, part, None)
        return target

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_office(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._is_office(request):
            return False
        return obj is None or scope_for(request.user).can(Action.VIEW, self._object_unit(obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_office(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._is_office(request):
            return False
        return obj is None or scope_for(request.user).can(self.scope_action, self._object_unit(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


admin.site.site_header = "攻坚行动督查考评平台 · 管理后台"
admin.site.site_title = "攻坚管理后台"
admin.site.index_title = "数据管理"
