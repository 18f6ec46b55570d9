"""`gongjian tick`: overdue orders, reminders once per period, automatic orders; twice == once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from gongjian.supervision import inspections, orders, tick
from gongjian.supervision.flow import State
from gongjian.supervision.models import (
    EventKind,
    Hazard,
    Message,
    OrderEvent,
    OrderSource,
    Reminder,
    SupervisionOrder,
)
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, make_project


def world_state() -> list[tuple]:
    """Everything tick may change, to compare runs."""
    return [
        *SupervisionOrder.objects.order_by("pk").values_list(
            "pk", "state", "level", "overdue_on", "deadline", "version", "source", "project_id"
        ),
        ("events", OrderEvent.objects.count()),
        (
            "reminders",
            *Reminder.objects.order_by("pk").values_list("order_id", "kind", "period_key"),
        ),
        ("messages", Message.objects.count()),
    ]


def test_an_order_past_its_deadline_is_marked_overdue_escalated_and_reminded_once(org, set_today):
    # given an order due on 12-03, still in progress
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    # when tick runs the day after the deadline
    set_today(dt.date(2026, 12, 4))
    report = tick.tick()
    # then it is overdue from that day, orange, and reminded once, in the unit's inbox
    order.refresh_from_db()
    assert (order.overdue_on, order.level) == (dt.date(2026, 12, 4), "orange")
    assert (report.marked_overdue, report.reminders) == (1, 1)
    reminder = order.reminders.get()
    assert (reminder.kind, reminder.period_key, reminder.sent_on) == (
        "overdue",
        "0",
        dt.date(2026, 12, 4),
    )
    assert reminder.text.startswith(f"【催办】督办单 {order.code}")
    assert "逾期 1 天" in reminder.text
    inbox = Message.objects.filter(user=org.hunan_staff, reminder=reminder)
    assert inbox.count() == 1
    kinds = list(order.events.values_list("kind", flat=True).order_by("pk"))
    assert kinds[-3:] == [EventKind.OVERDUE, EventKind.ESCALATED, EventKind.REMINDED]


def test_tick_twice_gives_the_same_state_as_once(org, set_today):
    make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    make_order(org, state=State.ISSUED, deadline=dt.date(2026, 12, 5))
    make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 2))
    make_project(org.hunan, red=True)
    set_today(dt.date(2026, 12, 4))
    tick.tick()
    once = world_state()
    second = tick.tick()
    assert world_state() == once
    assert (second.auto_orders, second.marked_overdue, second.reminders) == (0, 0, 0)


def test_the_command_prints_what_it_did_and_is_idempotent(org, set_today):
    make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 4))
    out = StringIO()
    call_command("tick", stdout=out)
    assert out.getvalue().strip().splitlines() == [
        "2026-12-04：红灯项目自动督办 0 件，隐患转督办 0 件，新标记逾期或升级 1 件，"
        "催办 1 次，亮灯提醒 2 人，推送成功 0 条、失败 0 条。",
        "预警快照：红灯 0，黄灯 0，绿灯 0",
    ]
    out = StringIO()
    call_command("tick", stdout=out)
    assert "新标记逾期或升级 0 件，催办 0 次" in out.getvalue()


def test_an_overdue_order_is_reminded_exactly_once_per_reminder_period(org, set_today, settings):
    settings.GONGJIAN_REMINDER_PERIOD_DAYS = 3
    order = make_order(org, state=State.ACKNOWLEDGED, deadline=dt.date(2026, 12, 3))
    # when tick runs every day, twice a day, for ten days after the deadline
    for day in range(4, 14):
        set_today(dt.date(2026, 12, day))
        tick.tick()
        tick.tick()
    # then reminders went out on days 4, 7, 10, 13: one per 3-day period
    assert list(order.reminders.values_list("period_key", "sent_on").order_by("pk")) == [
        ("0", dt.date(2026, 12, 4)),
        ("1", dt.date(2026, 12, 7)),
        ("2", dt.date(2026, 12, 10)),
        ("3", dt.date(2026, 12, 13)),
    ]


def test_colour_turns_red_after_five_working_days_late(org, set_today):
    # 12-03 is a Thursday; 5 working days later is 12-10 (Thu); the 6th is 12-11 (Fri)
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 10))
    tick.tick()
    order.refresh_from_db()
    assert order.level == "orange"
    set_today(dt.date(2026, 12, 11))
    tick.tick()
    order.refresh_from_db()
    assert order.level == "red"


def test_an_order_waiting_for_review_is_not_reminded(org, set_today):
    order = make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 8))
    tick.tick()
    order.refresh_from_db()
    assert (order.overdue_on, order.reminders.count()) == (None, 0)


def test_an_order_due_tomorrow_gets_one_due_soon_reminder(org, set_today):
    order = make_order(org, deadline=dt.date(2026, 12, 5))
    set_today(dt.date(2026, 12, 4))
    tick.tick()
    tick.tick()
    set_today(dt.date(2026, 12, 5))
    tick.tick()
    assert list(order.reminders.values_list("kind", "period_key")) == [("due_soon", "2026-12-05")]


def test_sending_back_after_the_deadline_marks_the_order_overdue_at_once(org, set_today):
    order = make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 6))
    order = orders.send_back(actor=org.office, order=order, reason="不合格")
    assert order.overdue_on == dt.date(2026, 12, 6)


def test_an_approved_extension_lifts_a_lateness_marked_while_the_office_decided(org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    orders.request_extension(
        actor=org.hunan_staff, order=order, reason="r", new_deadline=dt.date(2026, 12, 20)
    )
    set_today(dt.date(2026, 12, 4))
    tick.tick()
    order.refresh_from_db()
    assert order.overdue_on == dt.date(2026, 12, 4)
    order = orders.decide_extension(actor=org.office, order=order, approve=True)
    assert (order.overdue_on, order.deadline) == (None, dt.date(2026, 12, 20))


# ---------------------------------------------------------------- automatic orders


def test_a_red_project_raises_one_order_to_its_unit(org):
    red = make_project(org.hunan, name="滨海大道", red=True, campaign=org.line.campaign)
    make_project(org.hunan, name="绿灯项目")
    report = tick.tick()
    assert report.auto_orders == 1
    order = SupervisionOrder.objects.get()
    assert (order.project, order.unit, order.issuing_unit, order.source, order.level) == (
        red,
        org.hunan,
        org.changle,
        OrderSource.RED_PROJECT,
        "orange",
    )
    assert order.title == "红灯项目督办：滨海大道"
    assert "未开工" in order.content
    assert order.deadline == TODAY + dt.timedelta(days=10)
    assert order.events.get().actor is None


def test_no_automatic_order_when_one_is_already_open_for_the_project(org):
    red = make_project(org.hunan, red=True)
    make_order(org, project=red)
    assert tick.tick().auto_orders == 0
    assert SupervisionOrder.objects.count() == 1


def test_an_automatic_order_is_not_closed_by_the_project_turning_green(org):
    red = make_project(org.hunan, red=True)
    tick.tick()
    order = SupervisionOrder.objects.get()
    # when the project starts and reports on plan, it is no longer red
    red.actual_start = dt.date(2026, 11, 1)
    red.planned_start = dt.date(2026, 11, 1)
    red.save()
    tick.tick()
    order.refresh_from_db()
    assert order.state == "issued"
    # only review closes it
    order = orders.acknowledge(actor=org.hunan_staff, order=order)
    order = orders.start(actor=org.hunan_staff, order=order)
    order = orders.feedback(actor=org.hunan_staff, order=order, text="已开工")
    order = orders.close(actor=org.office, order=order)
    assert order.state == "closed"


def test_a_project_still_red_after_its_order_closed_gets_a_new_one(org, set_today):
    make_project(org.hunan, red=True)
    tick.tick()
    first = SupervisionOrder.objects.get()
    first = orders.acknowledge(actor=org.hunan_staff, order=first)
    first = orders.start(actor=org.hunan_staff, order=first)
    first = orders.feedback(actor=org.hunan_staff, order=first, text="x")
    orders.close(actor=org.office, order=first)
    set_today(TODAY + dt.timedelta(days=1))
    assert tick.tick().auto_orders == 1
    assert SupervisionOrder.objects.count() == 2


def test_a_completed_project_raises_no_order(org):
    make_project(org.hunan, red=True, status="completed")
    assert tick.tick().auto_orders == 0


# ---------------------------------------------------------------- hazards


def test_a_hazard_not_rectified_in_time_becomes_an_order_once(org, set_today):
    project = make_project(org.hunan, name="湖南中学扩建")
    inspection = inspections.record_inspection(
        actor=org.inspector,
        kind="scheduled",
        project=project,
        team="区督查组第一组",
        inspected_on=TODAY,
        findings="脚手架未设安全网",
        hazards=[inspections.HazardIn("脚手架未设安全网", TODAY + dt.timedelta(days=3))],
    )
    set_today(TODAY + dt.timedelta(days=3))
    assert tick.tick().hazard_orders == 0
    set_today(TODAY + dt.timedelta(days=4))
    assert tick.tick().hazard_orders == 1
    assert tick.tick().hazard_orders == 0
    hazard = Hazard.objects.get(inspection=inspection)
    order = hazard.order
    assert (order.unit, order.project, order.source, order.level) == (
        org.hunan,
        project,
        OrderSource.HAZARD,
        "red",
    )
    assert order.title == "安全隐患逾期未整改：脚手架未设安全网"


def test_a_rectified_hazard_raises_no_order(org, set_today):
    inspection = inspections.record_inspection(
        actor=org.inspector,
        kind="random",
        unit=org.hunan,
        team="区督查组",
        inspected_on=TODAY,
        findings="f",
        hazards=[inspections.HazardIn("临时用电不规范", TODAY + dt.timedelta(days=2))],
    )
    hazard = inspection.hazards.get()
    inspections.rectify_hazard(actor=org.hunan_staff, hazard=hazard, note="已更换配电箱")
    set_today(TODAY + dt.timedelta(days=5))
    assert tick.tick().hazard_orders == 0


@pytest.mark.parametrize("role", ["office", "inspector", "viewer", "leader"])
def test_only_the_unit_reports_a_hazard_rectified(org, role):
    inspection = inspections.record_inspection(
        actor=org.inspector,
        kind="random",
        unit=org.hunan,
        team="t",
        inspected_on=TODAY,
        findings="f",
        hazards=[inspections.HazardIn("h", TODAY)],
    )
    hazard = inspection.hazards.get()
    from gongjian.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        inspections.rectify_hazard(actor=getattr(org, role), hazard=hazard, note="n")
    hazard.refresh_from_db()
    assert (hazard.rectified_on, hazard.version) == (None, 1)


def test_lateness_across_national_day_counts_china_working_days(org, set_today):
    # due Wednesday 09-30; Monday to Friday would make 10-09 the 7th working day late (red);
    # on China's calendar 10-01..10-07 are off, so it is the 2nd (orange), and the make-up
    # Saturday 10-10 counts as the 3rd
    set_today(dt.date(2026, 9, 28))
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 9, 30))
    set_today(dt.date(2026, 10, 9))
    tick.tick()
    order.refresh_from_db()
    assert order.level == "orange"
    set_today(dt.date(2026, 10, 14))  # 10-08, 09, 10, 12, 13, 14: the 6th working day late
    tick.tick()
    order.refresh_from_db()
    assert order.level == "red"


def test_an_order_due_after_a_holiday_is_reminded_on_the_last_working_day_before_it(org, set_today):
    set_today(dt.date(2026, 9, 28))
    order = make_order(org, deadline=dt.date(2026, 10, 8))
    set_today(dt.date(2026, 9, 30))
    tick.tick()
    assert list(order.reminders.values_list("kind", "period_key")) == [("due_soon", "2026-10-08")]
