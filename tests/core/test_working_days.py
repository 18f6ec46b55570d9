"""China's working days: the State Council's holidays and make-up days, the office's own table,
and Monday to Friday for a year the library does not know yet (the admin says so)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core import clock
from gongjian.core.working_days import (
    WorkingDayOverride,
    add_working_days,
    is_working_day,
    official_calendar_knows,
    working_days_between,
    years_without_official_calendar,
)

pytestmark = pytest.mark.django_db

# 2026: National Day and the week after it, Thursday 10-01 to Wednesday 10-07, off;
# Saturday 10-10 is the make-up working day (调休上班).
NATIONAL_DAY_WEEK = [dt.date(2026, 10, d) for d in range(1, 8)]
MAKE_UP_SATURDAY = dt.date(2026, 10, 10)
# A year chinesecalendar 1.11 does not carry yet.
UNKNOWN_YEAR = 2027


def test_the_national_day_week_is_off_even_on_its_weekdays():
    assert [is_working_day(d) for d in NATIONAL_DAY_WEEK] == [False] * 7
    assert is_working_day(dt.date(2026, 10, 8))  # Thursday after the holiday


def test_the_make_up_saturday_after_national_day_is_a_working_day():
    assert MAKE_UP_SATURDAY.weekday() == 5
    assert is_working_day(MAKE_UP_SATURDAY)
    assert not is_working_day(dt.date(2026, 10, 11))  # the Sunday after it stays off


def test_working_days_late_across_national_day_count_only_days_at_work():
    # due Wednesday 09-30: by Saturday 10-10 only 10-08, 10-09 and the make-up 10-10 count
    assert working_days_between(dt.date(2026, 9, 30), MAKE_UP_SATURDAY) == 3
    # Monday to Friday alone would have said 7
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2


def test_the_first_working_day_after_the_eve_of_national_day_is_the_8th():
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == MAKE_UP_SATURDAY
    assert add_working_days(dt.date(2026, 9, 30), 0) == dt.date(2026, 9, 30)


def test_the_office_table_overrides_the_library_for_a_local_day():
    local = dt.date(2026, 12, 7)  # a Monday made a local day off
    assert is_working_day(local)
    WorkingDayOverride.objects.create(day=local, is_working_day=False, name="地方节日")
    assert not is_working_day(local)
    assert working_days_between(dt.date(2026, 12, 4), dt.date(2026, 12, 8)) == 1


def test_a_year_the_library_lacks_falls_back_to_the_table_and_weekends():
    assert official_calendar_knows(2026)
    assert not official_calendar_knows(UNKNOWN_YEAR)
    # 2027-01-04 is a Monday, 01-09 a Saturday: weekends alone
    assert is_working_day(dt.date(UNKNOWN_YEAR, 1, 4))
    assert not is_working_day(dt.date(UNKNOWN_YEAR, 1, 9))
    assert working_days_between(dt.date(UNKNOWN_YEAR, 1, 3), dt.date(UNKNOWN_YEAR, 1, 10)) == 5
    # the office enters the notice: Friday off, Saturday at work
    WorkingDayOverride.objects.create(day=dt.date(UNKNOWN_YEAR, 1, 8), is_working_day=False)
    WorkingDayOverride.objects.create(day=dt.date(UNKNOWN_YEAR, 1, 9), is_working_day=True)
    assert working_days_between(dt.date(UNKNOWN_YEAR, 1, 3), dt.date(UNKNOWN_YEAR, 1, 10)) == 5
    assert not is_working_day(dt.date(UNKNOWN_YEAR, 1, 8))
    assert is_working_day(dt.date(UNKNOWN_YEAR, 1, 9))
    assert years_without_official_calendar([2026, UNKNOWN_YEAR, UNKNOWN_YEAR]) == [UNKNOWN_YEAR]


def test_the_admin_says_which_years_fall_back_to_the_table_and_weekends(admin_client):
    with clock.pinned(dt.date(2026, 12, 1)):
        page = admin_client.get("/admin/core/workingdayoverride/", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "节假日库（chinesecalendar）尚无 2027 年的国务院节假日安排" in text
    assert "2026 年的国务院" not in text


def test_the_admin_keeps_quiet_when_the_library_knows_this_year_and_the_next(admin_client):
    with clock.pinned(dt.date(2025, 6, 1)):
        page = admin_client.get("/admin/core/workingdayoverride/", follow=True)
    assert page.status_code == 200
    assert "尚无" not in page.content.decode()


def test_an_office_entry_is_kept_in_the_history():
    entry = WorkingDayOverride.objects.create(
        day=dt.date(2027, 2, 6), is_working_day=True, name="调休上班"
    )
    entry.name = "春节调休上班"
    entry.save()
    assert [h.name for h in entry.history.order_by("history_date")] == ["调休上班", "春节调休上班"]
