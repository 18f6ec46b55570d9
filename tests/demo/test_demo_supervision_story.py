"""The demo's district story (issue 16): a leader's instruction becomes an order with a lead and a
co-operating unit, approved, signed by both, answered, sent back on review, closed and revisited;
a 参阅 instruction is filed; the town's campaign needs no approval, the district's does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongjian.assessment import selectors
from gongjian.assessment.models import Round
from gongjian.demo.supervision_story import LATE_TITLE
from gongjian.org.models import Unit, User
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


def test_the_late_matter_counts_against_each_unit_for_its_share_and_its_explanation_names_it(demo):
    units = list(Unit.objects.filter(name__in=["区发改局", "松下镇"]))
    counts = unit_counts(units, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert {u.name: counts[u.pk].orders_overdue for u in units} == {"区发改局": 1, "松下镇": 1}
    assert {u.name: counts[u.pk].orders_closed_on_time for u in units} == {
        "区发改局": 1,
        "松下镇": 0,
    }
    late = SupervisionOrder.objects.get(title=LATE_TITLE)
    assert (late.state, late.overdue_on, late.source) == (
        "in_progress",
        dt.date(2026, 12, 25),
        "meeting",
    )
    part = late.cooperators.get()
    assert (part.unit.name, part.overdue_on, part.part_on) == (
        "松下镇",
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 28),
    )
    # and each unit's December explanation names the order, 松下镇's its part
    viewer = User.objects.get(username="viewer")
    for plan, unit, code, share in (
        ("牵头单位综合考评方案", "区发改局", "qt_dbyq", ""),
        ("乡镇（街道）攻坚120天考评方案", "松下镇", "xz_yq", "协办部分，"),
    ):
        december = Round.objects.get(plan__name=plan, period="2026-12")
        why = selectors.explanation(viewer, december, Unit.objects.get(name=unit))
        got = next(p for p in why["parts"] if p["code"] == code)
        assert got["trail"] == [f"{late.code} {LATE_TITLE}（{share}时限 2026-12-24）"], unit
        assert Decimal(got["value"]) == 1 and Decimal(got["points"]) < 0


def test_a_leaders_site_visit_turned_its_two_problems_into_a_request_and_an_order(demo):
    from gongjian.core import clock
    from gongjian.dashboard.workbench import workbench
    from gongjian.org.models import User
    from gongjian.supervision import visits
    from gongjian.supervision.models import FieldVisit, ServiceTeam

    visit = FieldVisit.objects.get(subject="湖南镇重点项目现场办公")
    assert (visit.kind, visit.visited_on, visit.leader.name) == (
        "on_site",
        dt.date(2026, 12, 8),
        "林志强",
    )
    request_item, order_item = visit.items.order_by("pk")
    assert request_item.coordination.handling_unit.name == "区发改局"
    assert request_item.coordination.project == visit.projects.get()
    order = order_item.order
    assert (order.unit.name, order.source, order.state, order.deadline) == (
        "区发改局",
        "inspection",
        "issued",
        dt.date(2027, 1, 8),
    )
    assert order.source_ref == "现场办公 2026-12-08"
    assert order.project is None  # not 区发改局's project: named in the text, linked by the item
    assert order_item.project == visit.projects.get()
    assert order.content.endswith(f"（涉及项目：{order_item.project.name}）")
    team = ServiceTeam.objects.get(name="重点项目全程服务小组")
    assert (team.unit.name, team.head.name, team.projects.count()) == ("区发改局", "张秀英", 2)
    lin = User.objects.get(username="leader_lin")
    links = {
        r.unit.name: (r.last_on, r.overdue) for r in visits.leader_link_visits(lin, clock.today())
    }
    assert links == {
        "湖南镇": (dt.date(2026, 12, 8), False),
        "文武砂街道": (None, True),
        "区发改局": (None, True),
    }
    task = next(t for t in workbench(lin, clock.today()).tasks if t.key == "visits_overdue")
    assert task.count == 2
