"""unit_counts: what the assessment reads about each unit's orders and notices in a period."""

from __future__ import annotations

import datetime as dt

from gongjian.supervision import notices, orders, tick
from gongjian.supervision.flow import State
from gongjian.supervision.selectors import UnitSupervisionCounts, unit_counts
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order

DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_counts_issued_overdue_closed_on_time_and_notices_per_unit(org, set_today):
    # given in December: three orders to 湖南镇 (one closed on time, one overdue, one open),
    # one to 松下镇, and a criticism of 湖南镇 and a praise of 松下镇
    make_order(org, state=State.CLOSED, deadline=dt.date(2026, 12, 5))
    late = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    make_order(org, state=State.ISSUED, deadline=dt.date(2026, 12, 20))
    make_order(org, unit=org.songxia, deadline=dt.date(2026, 12, 20))
    notices.create_notice(
        actor=org.office,
        kind="criticism",
        unit=org.hunan,
        title="关于湖南镇督办事项逾期的通报",
        reason="逾期未办结",
        orders=[late],
        publish=True,
    )
    notices.create_notice(
        actor=org.office,
        kind="praise",
        unit=org.songxia,
        title="表扬",
        reason="提前完成",
        publish=True,
    )
    notices.create_notice(  # a draft does not count
        actor=org.office, kind="criticism", unit=org.songxia, title="草稿", reason="r"
    )
    set_today(dt.date(2026, 12, 10))
    # when the assessment asks (before or after tick has run, the count is the same)
    before_tick = unit_counts([org.hunan, org.songxia, org.fagai], *DEC)
    tick.tick()
    after_tick = unit_counts([org.hunan, org.songxia, org.fagai], *DEC)
    # then
    assert (
        before_tick
        == after_tick
        == {
            org.hunan.pk: UnitSupervisionCounts(
                orders_issued=3,
                orders_overdue=1,
                orders_closed_on_time=1,
                criticism_notices=1,
                praise_notices=0,
            ),
            org.songxia.pk: UnitSupervisionCounts(orders_issued=1, praise_notices=1),
            org.fagai.pk: UnitSupervisionCounts(),
        }
    )


def test_period_bounds_are_inclusive_and_other_periods_do_not_count(org, set_today):
    make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 31))
    set_today(dt.date(2027, 1, 2))
    tick.tick()
    # overdue from 2027-01-01: not in December, in January
    assert unit_counts([org.hunan], *DEC)[org.hunan.pk].orders_overdue == 0
    jan = unit_counts([org.hunan], dt.date(2027, 1, 1), dt.date(2027, 1, 31))[org.hunan.pk]
    assert (jan.orders_issued, jan.orders_overdue) == (0, 1)


def test_a_late_feedback_closes_but_not_on_time(org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 5))
    order = orders.feedback(actor=org.hunan_staff, order=order, text="完成")
    orders.close(actor=org.office, order=order)
    counts = unit_counts([org.hunan], *DEC)[org.hunan.pk]
    assert (counts.orders_closed_on_time, counts.orders_overdue) == (0, 1)


def test_counts_take_five_queries_whatever_the_number_of_units(org, django_assert_num_queries):
    make_order(org)
    units = [org.hunan, org.songxia, org.fagai, org.caizheng]
    with django_assert_num_queries(5):
        unit_counts(units, TODAY, TODAY)
