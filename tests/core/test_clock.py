"""core.clock: the stored fixed date is read once a request, and a change is seen at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from gongjian.core import clock
from gongjian.core.models import FIXED_TODAY, SiteSetting

pytestmark = pytest.mark.django_db


def _through_middleware(view):  # type: ignore[no-untyped-def]
    return clock.PerRequestToday(view)(RequestFactory().get("/"))


def test_a_request_reads_the_stored_date_once_however_often_it_asks(
    django_assert_num_queries, settings
):
    settings.GONGJIAN_TODAY = ""
    SiteSetting.objects.create(key=FIXED_TODAY, value="2026-12-02")
    seen = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.extend(clock.today() for _ in range(20))
        return HttpResponse()

    with django_assert_num_queries(1):
        _through_middleware(view)
    assert seen == [dt.date(2026, 12, 2)] * 20


def test_a_change_saved_during_a_request_is_read_for_the_rest_of_it(settings):
    settings.GONGJIAN_TODAY = ""
    row = SiteSetting.objects.create(key=FIXED_TODAY, value="2026-12-02")
    seen = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(clock.today())
        row.value = "2026-12-09"
        row.save()
        seen.append(clock.today())
        return HttpResponse()

    _through_middleware(view)
    assert seen == [dt.date(2026, 12, 2), dt.date(2026, 12, 9)]


def test_the_next_request_reads_a_date_changed_between_requests(settings):
    settings.GONGJIAN_TODAY = ""
    SiteSetting.objects.create(key=FIXED_TODAY, value="2026-12-02")
    seen = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(clock.today())
        return HttpResponse()

    _through_middleware(view)
    SiteSetting.objects.filter(key=FIXED_TODAY).update(value="2026-12-20")
    _through_middleware(view)
    assert seen == [dt.date(2026, 12, 2), dt.date(2026, 12, 20)]
    assert clock.today() == dt.date(2026, 12, 20)
