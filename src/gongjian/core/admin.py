from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from gongjian.core.clock import today as site_today
from gongjian.core.models import SiteSetting
from gongjian.core.working_days import WorkingDayOverride, years_without_official_calendar


@admin.register(SiteSetting)
class SiteSettingAdmin(admin.ModelAdmin):
    list_display = ("key", "value")


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("day", "is_working_day", "name", "note")
    list_filter = ("is_working_day",)
    search_fields = ("name", "note")
    date_hierarchy = "day"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Says which years (this one, the next, any in the table) the library does not know."""
        this_year = site_today().year
        years = {
            this_year,
            this_year + 1,
            *(d.year for d in WorkingDayOverride.objects.dates("day", "year")),
        }
        for year in years_without_official_calendar(years):
            messages.warning(
                request,
                _(
                    "节假日库（chinesecalendar）尚无 %(year)s 年的国务院节假日安排：该年按本表和周末（周一至周五上班）"
                    "计算工作日。请按国务院办公厅通知录入该年的放假日和调休上班日。"
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)
