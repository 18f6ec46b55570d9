"""Text that would break the site is refused by the ledger's services the same way on SQLite and
PostgreSQL (12.6): control characters and text past the model's length, the field named, on
every write path (API, page form, import rows); nothing is stored and the export still works."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.core.errors import ValidationFailed
from gongjian.projects import coordination, importing, reports
from gongjian.projects import ledger as ledger_service
from gongjian.projects.models import (
    CoordinationRequest,
    Milestone,
    ProgressReport,
    Project,
    TeamMember,
)
from tests.factories import PASSWORD
from tests.projects.test_sheet import new_project_post

D = dt.date


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def state():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(TeamMember.objects.order_by("pk").values()),
        list(ProgressReport.objects.order_by("pk").values()),
        list(CoordinationRequest.objects.order_by("pk").values()),
        Project.history.count(),
    )


def create_by_api(client, org, name):
    return client.post(
        "/api/ledger/projects",
        {"code": "HN-02", "name": name, "level": "district", "unit_id": org.hunan.pk},
        content_type="application/json",
    )


@pytest.mark.parametrize("name", ["卫生院\x00", "卫生\x01院", "卫生院\n二期"])
def test_a_project_name_with_a_control_character_is_refused_by_api_naming_the_field(
    client, org, ledger, name
):
    login(client, org.hunan_staff)
    before = state()
    response = create_by_api(client, org, name)
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "项目名称不能包含控制字符",
        "field": "name",
    }
    assert state() == before
    assert client.get("/ledger/export.xlsx").status_code == 200


def test_a_project_name_past_the_models_length_is_refused_by_api_on_every_database(
    client, org, ledger
):
    login(client, org.hunan_staff)
    before = state()
    response = create_by_api(client, org, "长" * 1000)
    assert response.status_code == 422
    assert response.json()["message"] == "项目名称最长 200 个字符，现为 1000 个"
    assert response.json()["field"] == "name"
    assert state() == before


def test_a_patch_with_a_nul_in_the_location_is_refused_and_nothing_changes(client, org, ledger):
    login(client, org.hunan_staff)
    before = state()
    response = client.patch(
        f"/api/ledger/projects/{ledger.hunan_project.pk}",
        {"version": 1, "location": "湖南镇\x00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["message"] == "建设地点不能包含控制字符"
    assert state() == before


@pytest.mark.parametrize("name", ["卫生院\x00", "卫生\x1f院"])
def test_a_project_name_with_a_control_character_is_refused_by_the_form_on_its_field(
    client, org, ledger, name
):
    login(client, org.office)
    before = state()
    response = client.post("/ledger/new/", new_project_post(org, name=name))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert state() == before
    assert client.get("/ledger/export.xlsx").status_code == 200


def test_a_control_character_only_the_service_knows_is_shown_on_the_forms_field(
    client, org, ledger
):
    login(client, org.office)
    response = client.post("/ledger/new/", new_project_post(org, name="卫生\x1f院"))
    assert response.context["form"].errors["name"] == ["项目名称不能包含控制字符"]


def test_an_imported_row_with_a_nul_in_the_name_is_rejected_naming_row_and_field(
    client, org, ledger
):
    before = state()
    rows = [
        importing.ProjectInput(
            row=2,
            code="HN-03",
            values={"name": "卫生院\x00", "level": "district", "unit": org.hunan},
        )
    ]
    with pytest.raises(importing.RowsRejected) as caught:
        importing.import_ledger(actor=org.hunan_staff, projects=rows)
    assert caught.value.problems == [
        importing.RowProblem("project", 2, "name", "项目名称不能包含控制字符")
    ]
    assert state() == before
    login(client, org.hunan_staff)
    assert client.get("/ledger/export.xlsx").status_code == 200


def test_an_imported_milestone_and_team_duty_with_control_characters_are_rejected(org, ledger):
    before = state()
    rows = [
        importing.ProjectInput(
            row=2,
            code="HN-01",
            values={"location": "湖南镇"},
            team=[(ledger.team_member, "协调\x07")],
        )
    ]
    milestones = [
        importing.MilestoneInput(
            row=3, code="HN-01", seq=2, values={"name": "竣工\x00", "planned_date": D(2026, 9, 1)}
        )
    ]
    with pytest.raises(importing.RowsRejected) as caught:
        importing.import_ledger(actor=org.hunan_staff, projects=rows, milestones=milestones)
    assert [(p.kind, p.row, p.field, p.message) for p in caught.value.problems] == [
        ("project", 2, "team", "分工不能包含控制字符"),
        ("milestone", 3, "name", "节点名称不能包含控制字符"),
    ]
    assert state() == before


def test_every_ledger_service_refuses_a_control_character_naming_the_field(org, ledger):
    p = ledger.hunan_project
    calls = [
        (
            "note",
            lambda: ledger_service.add_milestone(
                actor=org.hunan_staff,
                project=p,
                name="竣工",
                planned_date=D(2026, 9, 1),
                note="\x00",
            ),
        ),
        (
            "duty",
            lambda: ledger_service.set_team(
                actor=org.hunan_staff, project=p, members=[(ledger.team_member, "协\x0b调")]
            ),
        ),
        (
            "problems",
            lambda: reports.submit_report(
                actor=org.hunan_staff,
                project=p,
                period_end=D(2026, 6, 30),
                percent_done=Decimal(10),
                problems="缺\x00钱",
            ),
        ),
        (
            "description",
            lambda: coordination.raise_coordination(
                actor=org.hunan_staff, project=p, category="funds", description="资金\x00"
            ),
        ),
        (
            "description",
            lambda: reports.submit_report(
                actor=org.hunan_staff,
                project=p,
                period_end=D(2026, 6, 30),
                percent_done=Decimal(10),
                coordination=[coordination.CoordinationInput("funds", "资\x00金")],
            ),
        ),
    ]
    before = state()
    for field, call in calls:
        with pytest.raises(ValidationFailed) as caught:
            call()
        assert caught.value.details["field"] == field
        assert state() == before


def test_a_resolution_with_a_nul_is_refused_and_the_request_stays_open(org, ledger):
    c = coordination.raise_coordination(
        actor=org.hunan_staff, project=ledger.hunan_project, category="funds", description="资金"
    )
    with pytest.raises(ValidationFailed) as caught:
        coordination.resolve_coordination(
            actor=org.office, request_id=c.pk, expected_version=c.version, resolution="已\x00拨付"
        )
    assert caught.value.message == "解决情况不能包含控制字符"
    c.refresh_from_db()
    assert (c.status, c.resolution, c.version) == ("open", "", 1)


def test_multi_line_report_problems_keep_their_line_breaks(org, ledger):
    r = reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(10),
        problems=" 一、缺资金\r\n二、缺用地 ",
    )
    assert r.problems == "一、缺资金\n二、缺用地"
