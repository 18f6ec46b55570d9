"""The demo's supervision (seed 003): orders on Hunan Town's lagging projects in several states,
an inspection with a safety hazard, a random draw, a criticism notice, counted per unit."""

from __future__ import annotations

import datetime as dt

from gongjian.demo.supervision_loader import (
    DEMO_DAY,
    lagging_projects,
)
from gongjian.org.models import Unit
from gongjian.supervision import inspections, tick
from gongjian.supervision.models import Hazard, Inspection, Notice, RandomDraw, SupervisionOrder
from gongjian.supervision.selectors import unit_counts


def test_the_december_story_of_seed_003(demo):
    """One build (they take seconds), four parts of the story."""
    hunan_orders_are_overdue_sent_back_closed_and_extended()
    a_hazard_not_rectified_became_an_order_and_a_random_check_was_drawn()
    red_projects_raised_automatic_orders()
    the_criticism_notice_is_published_and_counted_for_the_assessment()


def hunan_orders_are_overdue_sent_back_closed_and_extended():
    hunan = Unit.objects.get(name="湖南镇")
    lagging = {p.pk for p in lagging_projects(hunan, DEMO_DAY)}
    manual = SupervisionOrder.objects.filter(unit=hunan, source="manual").order_by("pk")
    assert all(o.project_id in lagging for o in manual)
    overdue, back, closed, extended = manual
    assert (overdue.state, overdue.overdue_on, overdue.level) == (
        "in_progress",
        dt.date(2026, 12, 16),
        "red",
    )
    assert overdue.reminders.filter(kind="overdue").count() == 6  # 12-16 … 12-31, every 3 days
    assert (back.state, back.times_sent_back) == ("in_progress", 1)
    assert back.events.filter(kind="sent_back").get().note.startswith("仅确定方案")
    assert (closed.state, closed.closed_on, closed.closed_on_time) == (
        "closed",
        dt.date(2026, 12, 19),
        True,
    )
    assert (extended.original_deadline, extended.deadline) == (
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 20),
    )


def a_hazard_not_rectified_became_an_order_and_a_random_check_was_drawn():
    hazard = Hazard.objects.get()
    assert hazard.rectified_on is None
    assert (hazard.order.source, hazard.order.issued_on) == ("hazard", dt.date(2026, 12, 19))
    assert "管项目必须管安全" in hazard.description
    draw = RandomDraw.objects.get()
    assert inspections.redo_draw(draw) == draw.picked_ids
    assert Inspection.objects.filter(kind="random", draw=draw).count() == 1


def red_projects_raised_automatic_orders():
    auto = SupervisionOrder.objects.filter(source="red_project")
    assert {o.unit.name for o in auto} == {"江田镇", "区委组织部(人才办)", "湖南镇"}


def the_criticism_notice_is_published_and_counted_for_the_assessment():
    notice = Notice.objects.get()
    assert (notice.kind, notice.state, notice.unit.name) == ("criticism", "published", "湖南镇")
    assert notice.orders.count() == 1 and notice.projects.count() == 1
    hunan = Unit.objects.get(name="湖南镇")
    counts = unit_counts([hunan], dt.date(2026, 12, 1), dt.date(2026, 12, 31))[hunan.pk]
    assert (counts.orders_issued, counts.criticism_notices, counts.orders_closed_on_time) == (
        6,
        1,
        1,
    )
    assert counts.orders_overdue == 3


def test_running_tick_again_on_the_demo_day_changes_nothing(demo):
    before = list(SupervisionOrder.objects.values_list("pk", "state", "level", "version"))
    report = tick.tick(deliver=False)
    assert (report.auto_orders, report.marked_overdue, report.reminders) == (0, 0, 0)
    assert list(SupervisionOrder.objects.values_list("pk", "state", "level", "version")) == before
