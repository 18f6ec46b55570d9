"""Notices (通报), inspections with hazards, and the seeded random-check draw."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongjian.supervision import inspections, notices
from gongjian.supervision.models import Inspection, Message, Notice, RandomDraw
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_order, make_project


def test_the_office_publishes_a_criticism_linked_to_what_lies_behind_it(org):
    order = make_order(org)
    project = make_project(org.hunan)
    notice = notices.create_notice(
        actor=org.office,
        kind="criticism",
        unit=org.hunan,
        person_name="张三",
        title="关于湖南镇项目推进不力的通报",
        reason="督办事项逾期未办结",
        orders=[order],
        projects=[project],
    )
    assert (notice.state, notice.published_on) == ("draft", None)
    notice = notices.publish_notice(actor=org.office, notice=notice)
    assert (notice.state, notice.published_on, notice.issuing_unit) == (
        "published",
        TODAY,
        org.changle,
    )
    assert list(notice.orders.all()) == [order]
    assert list(notice.projects.all()) == [project]
    assert Message.objects.filter(
        user=org.hunan_staff, text="通报批评：关于湖南镇项目推进不力的通报"
    ).exists()


def test_a_published_notice_cannot_be_published_again(org):
    notice = notices.create_notice(
        actor=org.office, kind="praise", unit=org.hunan, title="t", reason="r", publish=True
    )
    with pytest.raises(InvalidTransition, match="该通报已发布"):
        notices.publish_notice(actor=org.office, notice=notice)
    notice.refresh_from_db()
    assert notice.version == 2


@pytest.mark.parametrize("role", ["hunan_staff", "leader", "inspector", "viewer", "lead"])
def test_only_the_office_issues_notices(org, role):
    with pytest.raises(PermissionDenied):
        notices.create_notice(
            actor=getattr(org, role), kind="criticism", unit=org.hunan, title="t", reason="r"
        )
    assert Notice.objects.count() == 0


def test_a_notice_needs_a_reason(org):
    with pytest.raises(ValidationFailed, match="通报须写明事由。"):
        notices.create_notice(actor=org.office, kind="praise", unit=org.hunan, title="t", reason="")
    assert Notice.objects.count() == 0


def test_an_inspector_records_an_inspection_with_hazards(org):
    project = make_project(org.hunan)
    insp = inspections.record_inspection(
        actor=org.inspector,
        kind="scheduled",
        project=project,
        team="区督查组",
        inspected_on=TODAY,
        findings="基坑临边防护缺失",
        hazards=[inspections.HazardIn("基坑临边无防护栏", TODAY + dt.timedelta(days=3))],
    )
    assert (insp.unit, insp.project, insp.recorded_by) == (org.hunan, project, org.inspector)
    assert list(insp.hazards.values_list("description", "rectify_by")) == [
        ("基坑临边无防护栏", TODAY + dt.timedelta(days=3))
    ]


@pytest.mark.parametrize("role", ["hunan_staff", "leader", "viewer", "lead"])
def test_only_inspectors_and_the_office_record_inspections(org, role):
    with pytest.raises(PermissionDenied):
        inspections.record_inspection(
            actor=getattr(org, role),
            kind="random",
            unit=org.hunan,
            team="t",
            inspected_on=TODAY,
            findings="f",
        )
    assert Inspection.objects.count() == 0


def test_a_hazard_deadline_before_the_inspection_is_refused(org):
    with pytest.raises(ValidationFailed, match="整改时限不能早于检查日期。"):
        inspections.record_inspection(
            actor=org.inspector,
            kind="random",
            unit=org.hunan,
            team="t",
            inspected_on=TODAY,
            findings="f",
            hazards=[inspections.HazardIn("h", TODAY - dt.timedelta(days=1))],
        )
    assert Inspection.objects.count() == 0


def test_the_random_draw_is_seeded_recorded_and_repeatable(org):
    projects = [make_project(org.hunan) for _ in range(8)] + [make_project(org.songxia)]
    draw = inspections.draw_random_check(
        actor=org.inspector, scope_unit=org.changle, unit=org.hunan, count=3, seed="2026-12抽查"
    )
    assert draw.candidate_ids == [p.pk for p in projects[:8]]
    assert len(draw.picked_ids) == 3
    assert set(draw.picked_ids) <= set(draw.candidate_ids)
    again = inspections.draw_random_check(
        actor=org.inspector, scope_unit=org.changle, unit=org.hunan, count=3, seed="2026-12抽查"
    )
    assert again.picked_ids == draw.picked_ids == inspections.redo_draw(draw)
    assert RandomDraw.objects.count() == 2


def test_the_draw_is_fair_each_candidate_equally_likely():
    counts = dict.fromkeys(range(10), 0)
    for i in range(2000):
        for pk in inspections.pick(list(range(10)), 2, f"seed{i}"):
            counts[pk] += 1
    # 400 expected each; a fair sampler stays well within ±25 %
    assert all(300 < n < 500 for n in counts.values()), counts


def test_an_inspection_from_a_draw_must_be_of_a_drawn_project(org):
    a, b = make_project(org.hunan), make_project(org.hunan)
    draw = inspections.draw_random_check(
        actor=org.inspector, scope_unit=org.hunan, count=1, seed="s"
    )
    other = b if draw.picked_ids == [a.pk] else a
    with pytest.raises(ValidationFailed, match="不在这次抽签的抽中名单中"):
        inspections.record_inspection(
            actor=org.inspector,
            kind="random",
            project=other,
            team="t",
            inspected_on=TODAY,
            findings="f",
            draw=draw,
        )


def test_drawing_more_than_the_candidates_is_refused(org):
    make_project(org.hunan)
    with pytest.raises(ValidationFailed, match="抽取数量 2 超过候选项目数 1。"):
        inspections.draw_random_check(actor=org.inspector, scope_unit=org.hunan, count=2)
    assert RandomDraw.objects.count() == 0
