"""The demo's district story (issue 16): a leader's instruction becomes an order with a lead and a
co-operating unit, approved, signed by both, answered, sent back on review, closed and revisited;
a 参阅 instruction is filed; the town's campaign needs no approval, the district's does."""

from __future__ import annotations

import datetime as dt

from gongjian.org.models import Unit
from gongjian.supervision import sources
from gongjian.supervision.models import LeaderInstruction, SupervisionOrder, SupervisionSettings
from gongjian.supervision.selectors import unit_counts


def test_a_leaders_instruction_runs_the_whole_way_in_the_district(demo):
    directive = LeaderInstruction.objects.get(kind="directive")
    order = SupervisionOrder.objects.get(instruction=directive)
    assert (order.source, order.unit.name, order.campaign.name) == (
        "leader_instruction",
        "区发改局",
        "攻坚120天",
    )
    assert [c.unit.name for c in order.cooperators.all()] == ["松下镇"]
    part = order.cooperators.get()
    assert (part.acknowledged_on, part.part_on, part.overdue_on) == (
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 10),
        None,
    )
    assert [e.kind for e in order.events.order_by("pk")] == [
        "submitted",
        "approved",
        "acknowledged",
        "co_acknowledged",
        "started",
        "co_part",
        "feedback",
        "reviewer_assigned",
        "sent_back",
        "feedback",
        "closed",
        "revisited",
    ]
    assert (order.approved_by.username, order.deadline, order.issued_on) == (
        "leader_lin",
        dt.date(2026, 12, 22),
        dt.date(2026, 12, 4),
    )
    assert (order.reviewer.username, order.times_sent_back) == ("inspector", 1)
    assert (order.closed_on, order.closed_on_time, order.overdue_on) == (
        dt.date(2026, 12, 18),
        True,
        None,
    )
    assert (order.revisit_due, order.revisited_on, order.revisit_held) == (
        dt.date(2026, 12, 28),
        dt.date(2026, 12, 28),
        True,
    )


def test_the_register_shows_what_became_of_each_instruction(demo):
    from gongjian.org.models import User

    office = User.objects.get(username="changle_office")
    rows = {i.kind: sources.outcome(i) for i in sources.instructions_for(office)}
    assert rows["reference"].status == "存档备查"
    assert rows["directive"].status == "已办结"
    assert [o.unit.name for o in rows["directive"].orders] == ["区发改局"]


def test_the_district_needs_approval_and_the_town_does_not(demo):
    settings = {s.campaign.name: s.approval_required for s in SupervisionSettings.objects.all()}
    assert settings == {"攻坚120天": True, "百日攻坚": False}


def test_the_story_is_late_nowhere(demo):
    units = list(Unit.objects.filter(name__in=["区发改局", "松下镇"]))
    counts = unit_counts(units, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert {u.name: counts[u.pk].orders_overdue for u in units} == {"区发改局": 0, "松下镇": 0}
    assert {u.name: counts[u.pk].orders_closed_on_time for u in units} == {
        "区发改局": 1,
        "松下镇": 0,
    }
