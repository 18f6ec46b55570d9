"""A project names only people its editor may name (`ledger.require_nameable`): through the API
(ids), the services and the sheet alike; an id out of reach reads like one that does not exist."""

from __future__ import annotations

import pytest

from gongjian.core.errors import ValidationFailed
from gongjian.projects import ledger as ledger_service
from gongjian.projects.models import Milestone, Project, TeamMember
from tests.factories import PASSWORD, PersonFactory

REFUSAL = "所选人员不存在，或不在您可以选择的范围内。"


@pytest.fixture
def gulou_cadre(org):
    """A cadre (not a leader) of another district: no one in 长乐区 may name him."""
    return PersonFactory(name="鼓楼干部", unit=org.gulou_caizheng, is_leader=False)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def new_project(client, **extra):
    return client.post(
        "/api/ledger/projects",
        {
            "code": "HN-09",
            "name": "卫生院",
            "level": "district",
            "unit_id": extra.pop("unit"),
            **extra,
        },
        content_type="application/json",
    )


def test_another_districts_cadre_cannot_lead_a_new_project_and_nothing_is_made(
    client, org, ledger, gulou_cadre
):
    login(client, org.hunan_staff)
    refused = new_project(client, unit=org.hunan.pk, leader_id=gulou_cadre.pk)
    assert refused.status_code == 422
    assert refused.json() == {"code": "invalid", "message": REFUSAL, "field": "leader"}
    assert not Project.objects.filter(code="HN-09").exists()


def test_an_id_that_does_not_exist_reads_exactly_like_one_out_of_reach(
    client, org, ledger, gulou_cadre
):
    login(client, org.hunan_staff)
    missing = new_project(client, unit=org.hunan.pk, leader_id=gulou_cadre.pk + 1000)
    out_of_reach = new_project(client, unit=org.hunan.pk, leader_id=gulou_cadre.pk)
    assert missing.status_code == out_of_reach.status_code == 422
    assert missing.json() == out_of_reach.json()
    assert "鼓楼干部" not in out_of_reach.content.decode()


def test_own_units_people_and_any_leader_may_be_named(client, org, ledger):
    login(client, org.hunan_staff)
    own = new_project(client, unit=org.hunan.pk, leader_id=ledger.team_member.pk)
    assert own.status_code == 201
    assert own.json()["leader"] == "陈干部"
    district_leader = PersonFactory(name="林区长", unit=org.gulou, is_leader=True)
    changed = client.patch(
        f"/api/ledger/projects/{own.json()['id']}",
        {"version": own.json()["version"], "leader_id": district_leader.pk},
        content_type="application/json",
    )
    assert changed.status_code == 200  # a leader may 包联 a project anywhere
    assert changed.json()["leader"] == "林区长"


def test_the_leader_cannot_be_changed_to_someone_out_of_reach(client, org, ledger, gulou_cadre):
    login(client, org.hunan_staff)
    project = ledger.hunan_project
    refused = client.patch(
        f"/api/ledger/projects/{project.pk}",
        {"version": project.version, "leader_id": gulou_cadre.pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "leader"
    project.refresh_from_db()
    assert project.leader == ledger.town_leader


def test_a_milestone_names_no_one_out_of_reach(client, org, ledger, gulou_cadre):
    login(client, org.hunan_staff)
    url = f"/api/ledger/projects/{ledger.hunan_project.pk}/milestones"
    before = Milestone.objects.count()
    body = {"name": "开工", "planned_date": "2026-09-30"}
    refused = client.post(
        url, {**body, "person_id": gulou_cadre.pk}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "person"
    assert Milestone.objects.count() == before
    ok = client.post(
        url, {**body, "person_id": ledger.team_member.pk}, content_type="application/json"
    )
    assert ok.status_code == 201


def test_a_team_takes_no_one_out_of_reach_but_keeps_whom_it_already_has(org, ledger, gulou_cadre):
    project = ledger.hunan_project
    with pytest.raises(ValidationFailed) as refused:
        ledger_service.set_team(
            actor=org.hunan_staff, project=project, members=[(gulou_cadre, "协调")]
        )
    assert refused.value.details == {"field": "team"}
    # Someone already on the project stays nameable there, wherever the person now works.
    TeamMember.objects.create(project=project, person=gulou_cadre, duty="原分工")
    kept = ledger_service.set_team(
        actor=org.hunan_staff, project=project, members=[(gulou_cadre, "新分工")]
    )
    assert [(m.person, m.duty) for m in kept] == [(gulou_cadre, "新分工")]


def test_system_work_names_anyone(org, ledger, gulou_cadre):
    project = ledger_service.create_project(
        actor=None, code="SYS-01", name="演示", level="district", unit=org.hunan, leader=gulou_cadre
    )
    assert project.leader == gulou_cadre
