"""Leaders and service teams in the field: recording a visit, turning its problems into a
coordination request or an order in one step, who may and who sees, and the 定期 cadence."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.dashboard.workbench import workbench
from gongjian.projects.models import CoordinationRequest
from gongjian.supervision import visits
from gongjian.supervision.flow import State
from gongjian.supervision.models import (
    FieldVisit,
    OrderSource,
    ServiceTeam,
    SupervisionOrder,
    SupervisionSettings,
    VisitItem,
    VisitItemKind,
    VisitKind,
)
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.supervision.conftest import TODAY
from tests.supervision.factories import make_project, require_approval


def _visit(org, *, actor=None, project=None, kind=VisitKind.ON_SITE, items=None, **extra):
    project = project or make_project(org.hunan, name="湖南安置房", campaign=org.line.campaign)
    return visits.record_visit(
        actor=actor or org.leader,
        kind=kind,
        visited_on=extra.pop("visited_on", TODAY - dt.timedelta(days=1)),
        subject="安置房建设现场办公",
        leader=extra.pop("leader", org.leader.person),
        projects=[project],
        items=items
        if items is not None
        else [visits.ItemIn("临时用电未接入"), visits.ItemIn("征迁剩余3户未签约")],
        decisions="供电公司一周内接入临时用电。",
        **extra,
    )


def test_a_leader_records_a_visit_with_its_problems_on_the_project(org):
    visit = _visit(org)
    assert visit.recording_unit == org.leader.unit
    assert visit.campaign == org.line.campaign
    items = list(visit.items.order_by("pk"))
    assert [i.description for i in items] == ["临时用电未接入", "征迁剩余3户未签约"]
    assert all(i.project == visit.projects.get() for i in items)  # the only project visited
    assert visit.history.first().history_change_reason == "登记现场办公"


def test_a_problem_becomes_a_coordination_request_linked_to_the_visit(org):
    visit = _visit(org)
    item = visit.items.order_by("pk").first()
    request = visits.item_to_coordination(
        actor=org.leader, item_id=item.pk, category="utilities", handling_unit=org.caizheng
    )
    item.refresh_from_db()
    assert item.coordination == request
    assert request.project == item.project
    assert request.description == "临时用电未接入"
    assert request.history.first().history_change_reason == "现场办公发现的问题转协调事项"


def test_a_problem_becomes_an_order_found_on_site(org):
    visit = _visit(org)
    item = visit.items.order_by("pk").last()
    order = visits.item_to_order(
        actor=org.leader, item_id=item.pk, unit=org.hunan, deadline=TODAY + dt.timedelta(days=7)
    )
    item.refresh_from_db()
    assert item.order == order
    assert order.source == OrderSource.INSPECTION
    assert order.source_ref == f"现场办公 {visit.visited_on.isoformat()}"
    assert order.project == item.project
    assert order.state == State.ISSUED
    assert order.campaign == org.line.campaign


def test_a_meetings_decision_becomes_an_order_with_the_meeting_source_and_waits_for_approval(org):
    require_approval(org.line.campaign)
    visit = _visit(
        org,
        kind=VisitKind.MEETING,
        minutes_ref="专题会议纪要〔2026〕8号",
        items=[visits.ItemIn("湖南镇11月底前完成交地", kind=VisitItemKind.DECISION)],
    )
    order = visits.item_to_order(
        actor=org.office,
        item_id=visit.items.get().pk,
        unit=org.hunan,
        deadline=TODAY + dt.timedelta(days=20),
    )
    assert (order.source, order.source_ref) == (OrderSource.MEETING, "专题会议纪要〔2026〕8号")
    assert order.state == State.PENDING_APPROVAL


def test_a_problem_turned_once_is_refused_a_second_time_and_nothing_changes(org):
    item = _visit(org).items.first()
    visits.item_to_coordination(actor=org.leader, item_id=item.pk, category="utilities")
    with pytest.raises(ValidationFailed, match="不能重复转办"):
        visits.item_to_order(
            actor=org.leader, item_id=item.pk, unit=org.hunan, deadline=TODAY + dt.timedelta(7)
        )
    assert SupervisionOrder.objects.count() == 0
    assert CoordinationRequest.objects.count() == 1


@pytest.mark.parametrize("role", ["hunan_staff", "viewer", "lead"])
def test_who_may_not_turn_a_leaders_problem_is_refused_and_nothing_changes(org, role):
    item = _visit(org).items.first()
    user = getattr(org, role)
    with pytest.raises((PermissionDenied, NotFound)):
        visits.item_to_coordination(actor=user, item_id=item.pk, category="utilities")
    item.refresh_from_db()
    assert not item.handled
    assert CoordinationRequest.objects.count() == 0


def test_an_order_to_a_unit_the_leader_may_not_give_orders_to_is_refused(org):
    item = _visit(org).items.first()
    with pytest.raises(PermissionDenied):
        visits.item_to_order(
            actor=org.leader, item_id=item.pk, unit=org.songxia, deadline=TODAY + dt.timedelta(7)
        )
    item.refresh_from_db()
    assert item.order is None and SupervisionOrder.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "party"}, "未知的走访形式"),
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "走访日期不能晚于今天"),
        ({"leader": None}, "请选择带队领导或服务小组"),
        ({"items": [visits.ItemIn("  ")]}, "第 1 条问题内容为空"),
    ],
)
def test_bad_visits_are_refused_naming_what_and_nothing_is_saved(org, change, message):
    with pytest.raises(ValidationFailed, match=message):
        _visit(org, **change)
    assert FieldVisit.objects.count() == 0 and VisitItem.objects.count() == 0


def test_a_leader_cannot_record_a_visit_for_another_leader_or_out_of_sight(org):
    other = PersonFactory(name="陈副区长", unit=org.caizheng, is_leader=True)
    with pytest.raises(PermissionDenied, match="只能登记本人"):
        _visit(org, leader=other)
    with pytest.raises(PermissionDenied, match="不在您的查看范围内"):
        _visit(org, project=make_project(org.songxia))
    assert FieldVisit.objects.count() == 0


def test_a_unit_handler_with_no_team_may_not_record(org):
    with pytest.raises(PermissionDenied):
        _visit(org, actor=org.hunan_staff)
    assert not visits.may_record_somewhere(org.hunan_staff)


def test_a_service_team_member_records_a_visit_to_a_followed_project_out_of_its_unit(org):
    member = PersonFactory(name="王干事", unit=org.fagai)
    user = UserFactory(username="fagai_staff", unit=org.fagai, roles=["unit_staff"], person=member)
    project = make_project(org.songxia, name="松下港区道路")
    team = visits.create_team(
        actor=org.office,
        name="重点项目服务一组",
        unit=org.fagai,
        head=member,
        members=[member],
        projects=[project],
        enterprises="福州港务集团\n 松下建设公司 ",
    )
    assert team.enterprise_list == ["福州港务集团", "松下建设公司"]
    visit = visits.record_visit(
        actor=user,
        kind=VisitKind.SURVEY,
        visited_on=TODAY,
        subject="跟踪服务",
        team=team,
        projects=[project],
    )
    assert visits.visits_for(user).filter(pk=visit.pk).exists()
    assert project in visits.projects_reachable(user)


def test_a_team_is_the_offices_to_form_once_a_name(org):
    with pytest.raises(PermissionDenied):
        visits.create_team(
            actor=org.hunan_staff, name="服务组", unit=org.hunan, head=org.leader.person
        )
    visits.create_team(actor=org.office, name="服务组", unit=org.hunan, head=org.leader.person)
    with pytest.raises(ValidationFailed, match="已有名为“服务组”"):
        visits.create_team(actor=org.office, name="服务组", unit=org.hunan, head=org.leader.person)
    assert ServiceTeam.objects.count() == 1


def test_visits_are_seen_in_the_scope_of_the_visited_units_and_by_the_leader(org):
    visit = _visit(org)
    seen = {
        name: visits.visits_for(getattr(org, name)).filter(pk=visit.pk).exists()
        for name in ("office", "leader", "hunan_staff", "viewer", "inspector")
    }
    assert seen == dict.fromkeys(seen, True)
    songxia = UserFactory(username="songxia", unit=org.songxia, roles=["unit_staff"])
    assert not visits.visits_for(songxia).filter(pk=visit.pk).exists()
    with pytest.raises(NotFound):
        visits.visit_for(songxia, visit.pk)


def test_a_linked_unit_is_overdue_past_the_campaigns_cadence_and_shows_on_the_workbench(org):
    SupervisionSettings.objects.create(campaign=org.line.campaign, visit_every_days=10)
    [never] = visits.leader_link_visits(org.leader, TODAY)
    assert (never.unit, never.last_on, never.overdue) == (org.hunan, None, True)
    _visit(org, visited_on=TODAY - dt.timedelta(days=11))
    [late] = visits.leader_link_visits(org.leader, TODAY)
    assert (late.last_on, late.overdue) == (TODAY - dt.timedelta(days=11), True)
    task = next(t for t in workbench(org.leader, TODAY).tasks if t.key == "visits_overdue")
    assert (task.count, task.urgent) == (1, True)
    _visit(org, visited_on=TODAY - dt.timedelta(days=10))
    [fresh] = visits.leader_link_visits(org.leader, TODAY)
    assert (fresh.due_on, fresh.overdue) == (TODAY, False)
    task = next(t for t in workbench(org.leader, TODAY).tasks if t.key == "visits_overdue")
    assert task.count == 0


def test_the_workbench_of_a_non_leader_has_no_visit_to_do(org):
    assert all(t.key != "visits_overdue" for t in workbench(org.hunan_staff, TODAY).tasks)


# ---- pages and API ---------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_phone_form_records_a_visit_and_its_page_turns_a_problem_into_an_order(client, org):
    project = make_project(org.hunan, name="湖南安置房")
    login(client, org.leader)
    assert client.get(f"/supervision/visits/new/?project={project.pk}").status_code == 200
    response = client.post(
        "/supervision/visits/new/",
        {
            "kind": "on_site",
            "visited_on": TODAY.isoformat(),
            "leader": org.leader.person_id,
            "subject": "现场办公",
            "projects": [project.pk],
            "problems": "临时用电未接入\n\n征迁剩余3户",
        },
    )
    visit = FieldVisit.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/supervision/visits/{visit.pk}/"
    )
    item = visit.items.order_by("pk").first()
    page = client.get(f"/supervision/visits/{visit.pk}/").content.decode()
    assert "转督办单" in page and "临时用电未接入" in page
    client.post(
        f"/supervision/visit-items/{item.pk}/order/",
        {f"i{item.pk}o-unit": org.hunan.pk, f"i{item.pk}o-deadline": "2026-12-10"},
    )
    item.refresh_from_db()
    assert item.order is not None and item.order.unit == org.hunan
    assert item.order.code in client.get(f"/projects/{project.pk}/").content.decode()
    assert "现场办公" in client.get("/dashboard/leader/").content.decode()


def test_the_api_records_a_visit_and_turns_a_problem_into_a_coordination_request(client, org):
    project = make_project(org.hunan, name="湖南安置房")
    login(client, org.leader)
    created = client.post(
        "/api/supervision/visits",
        {
            "kind": "survey",
            "visited_on": TODAY.isoformat(),
            "subject": "调研",
            "leader_id": org.leader.person_id,
            "project_ids": [project.pk],
            "items": [{"description": "用地指标未落实", "project_id": project.pk}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    item_id = created.json()["items"][0]["id"]
    converted = client.post(
        f"/api/supervision/visit-items/{item_id}/coordination",
        {"category": "land"},
        content_type="application/json",
    )
    assert converted.status_code == 201, converted.content
    assert CoordinationRequest.objects.get().pk == converted.json()["coordination_id"]
    due = client.get("/api/supervision/visits-due").json()
    assert due == [
        {
            "unit_id": org.hunan.pk,
            "unit_name": "湖南镇",
            "last_on": TODAY.isoformat(),
            "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "overdue": False,
        }
    ]


def test_the_api_refuses_a_visit_out_of_sight_with_404_and_saves_nothing(client, org):
    project = make_project(org.songxia)
    login(client, org.leader)
    response = client.post(
        "/api/supervision/visits",
        {
            "kind": "survey",
            "visited_on": TODAY.isoformat(),
            "subject": "调研",
            "leader_id": org.leader.person_id,
            "project_ids": [project.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert FieldVisit.objects.count() == 0


def test_an_order_to_another_unit_than_the_projects_names_the_project_without_linking_it(org):
    visit = _visit(org)
    item = visit.items.first()
    order = visits.item_to_order(
        actor=org.office, item_id=item.pk, unit=org.caizheng, deadline=TODAY + dt.timedelta(7)
    )
    item.refresh_from_db()
    assert order.project is None and item.project == visit.projects.get()
    assert order.content == "临时用电未接入（涉及项目：湖南安置房）"
