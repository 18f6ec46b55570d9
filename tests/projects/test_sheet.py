"""The project sheet: new and edit pages, one atomic write, stale versions refused, scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from gongjian.core.errors import ConcurrentUpdate, ValidationFailed
from gongjian.projects import editing
from gongjian.projects.models import Milestone, Project, TeamMember
from tests.factories import PASSWORD, PersonFactory

D = dt.date


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def new_project_post(org, **overrides):
    data = {
        "code": "HN-09",
        "name": "湖南镇滨海连接线",
        "level": "district",
        "campaign": "",
        "line": str(org.line.pk),
        "unit": str(org.hunan.pk),
        "owner": "区交投集团",
        "leader": "",
        "location": "湖南镇",
        "total_investment_wan": "12000",
        "annual_planned_wan": "3000",
        "investment_completed_wan": "0",
        "planned_start": "2026-03-01",
        "planned_completion": "2027-06-30",
        "actual_start": "",
        "actual_completion": "",
        "status": "planned",
        "percent_done": "0",
        "not_started_reason": "",
        "description": "",
    }
    data.update(overrides)
    return data


def sheet_post(project, *, team=(), milestones=(), **fields):
    """The edit page's POST as the browser sends it: project fields, team rows, milestone rows."""
    data = {
        "p-name": project.name,
        "p-level": project.level,
        "p-campaign": str(project.campaign_id or ""),
        "p-line": str(project.line_id or ""),
        "p-unit": str(project.unit_id),
        "p-owner": project.owner,
        "p-leader": str(project.leader_id or ""),
        "p-location": project.location,
        "p-total_investment_wan": str(project.total_investment_wan),
        "p-annual_planned_wan": str(project.annual_planned_wan),
        "p-investment_completed_wan": str(project.investment_completed_wan),
        "p-planned_start": str(project.planned_start or ""),
        "p-planned_completion": str(project.planned_completion or ""),
        "p-actual_start": str(project.actual_start or ""),
        "p-actual_completion": str(project.actual_completion or ""),
        "p-status": project.status,
        "p-percent_done": str(project.percent_done),
        "p-not_started_reason": project.not_started_reason,
        "p-description": project.description,
        "p-version": str(project.version),
    }
    data.update({f"p-{k}": v for k, v in fields.items()})
    # INITIAL_FORMS counts the rows the page was drawn with, as Django's management form does.
    members = TeamMember.objects.filter(project=project).count()
    data.update({"team-TOTAL_FORMS": str(len(team)), "team-INITIAL_FORMS": str(members)})
    for i, (person, duty) in enumerate(team):
        data[f"team-{i}-person"] = str(person.pk) if person else ""
        data[f"team-{i}-duty"] = duty
    stored = sum(1 for row in milestones if row.get("id"))
    data.update({"ms-TOTAL_FORMS": str(len(milestones)), "ms-INITIAL_FORMS": str(stored)})
    for i, row in enumerate(milestones):
        for key, value in row.items():
            data[f"ms-{i}-{key}"] = "" if value is None else str(value)
    return data


def milestone_row(m, **changes):
    row = {
        "id": m.pk,
        "version": m.version,
        "name": m.name,
        "planned_date": m.planned_date,
        "actual_date": m.actual_date or "",
        "person": m.person_id or "",
        "unit": m.unit.name if m.unit else "",
        "note": m.note,
    }
    row.update(changes)
    return row


def test_town_staff_creates_a_project_for_their_town_and_lands_on_its_sheet(client, org):
    login(client, org.hunan_staff)
    response = client.post("/ledger/new/", new_project_post(org))
    project = Project.objects.get(code="HN-09")
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/{project.pk}/edit/"
    assert project.campaign == org.line.campaign  # taken from the line
    assert project.total_investment_wan == Decimal(12000)
    assert project.history.count() == 1


def test_new_project_offers_only_units_the_user_may_keep_a_ledger_for(client, org):
    login(client, org.hunan_staff)
    html = client.get("/ledger/new/").content.decode()
    assert f'value="{org.hunan.pk}"' in html
    assert f'value="{org.songxia.pk}"' not in html
    response = client.post("/ledger/new/", new_project_post(org, unit=str(org.songxia.pk)))
    assert response.status_code == 200
    assert not Project.objects.filter(code="HN-09").exists()


@pytest.mark.parametrize("who", ["viewer", "leader", "inspector", "lead"])
def test_roles_without_ledger_rights_cannot_create_projects(client, org, who):
    login(client, getattr(org, who))
    response = client.post("/ledger/new/", new_project_post(org), follow=True)
    assert "您无权新建项目" in response.content.decode()
    assert not Project.objects.filter(code="HN-09").exists()


def test_a_duplicate_code_is_shown_on_the_code_field_and_nothing_is_saved(client, org, ledger):
    login(client, org.office)
    response = client.post("/ledger/new/", new_project_post(org, code="HN-01"))
    assert response.status_code == 200
    assert "项目编号“HN-01”已存在" in response.content.decode()
    assert Project.objects.filter(code="HN-01").count() == 1


def test_completion_before_start_is_refused_on_its_field(client, org):
    login(client, org.office)
    response = client.post("/ledger/new/", new_project_post(org, planned_completion="2026-01-01"))
    assert "计划竣工日期不能早于计划开工日期" in response.content.decode()
    assert not Project.objects.filter(code="HN-09").exists()


def test_the_sheet_edits_fields_team_and_milestones_in_one_write(client, org, ledger):
    p = ledger.hunan_project
    newcomer = PersonFactory(name="郑工", unit=org.hunan)
    login(client, org.hunan_staff)
    assert client.get(f"/ledger/{p.pk}/edit/").status_code == 200
    data = sheet_post(
        p,
        location="湖南镇东片",
        team=[(ledger.team_member, "协调征迁"), (newcomer, "现场")],
        milestones=[
            milestone_row(ledger.milestone, actual_date="2026-06-20"),
            {"name": "竣工验收", "planned_date": "2026-12-20", "unit": "湖南镇"},
            {"name": "", "planned_date": ""},  # an empty new line is ignored
        ],
    )
    response = client.post(f"/ledger/{p.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    p.refresh_from_db()
    assert p.location == "湖南镇东片"
    assert sorted(TeamMember.objects.filter(project=p).values_list("person__name", "duty")) == [
        ("郑工", "现场"),
        ("陈干部", "协调征迁"),
    ]
    assert Milestone.objects.get(pk=ledger.milestone.pk).actual_date == D(2026, 6, 20)
    added = Milestone.objects.get(project=p, name="竣工验收")
    assert (added.seq, added.unit) == (2, org.hunan)


def test_an_untouched_sheet_changes_nothing(client, org, ledger):
    p = ledger.hunan_project
    login(client, org.hunan_staff)
    before = (p.version, p.history.count(), ledger.milestone.version)
    data = sheet_post(
        p,
        team=[(ledger.team_member, "协调")],
        milestones=[milestone_row(ledger.milestone)],
    )
    response = client.post(f"/ledger/{p.pk}/edit/", data, follow=True)
    assert "没有修改" in response.content.decode()
    p.refresh_from_db()
    ledger.milestone.refresh_from_db()
    assert (p.version, p.history.count(), ledger.milestone.version) == before


def test_a_stale_sheet_is_refused_and_keeps_the_colleagues_edit(client, org, ledger):
    p = ledger.hunan_project
    data = sheet_post(p, location="我的修改", team=[(ledger.team_member, "协调")])
    Project.objects.filter(pk=p.pk).update(location="同事的修改", version=p.version + 1)
    login(client, org.hunan_staff)
    response = client.post(f"/ledger/{p.pk}/edit/", data)
    assert response.status_code == 200
    assert "该记录已被他人修改" in response.content.decode()
    p.refresh_from_db()
    assert p.location == "同事的修改"


def test_a_bad_milestone_line_is_named_and_the_project_edit_is_rolled_back(client, org, ledger):
    p = ledger.hunan_project
    login(client, org.hunan_staff)
    data = sheet_post(
        p,
        location="不应保存",
        team=[(ledger.team_member, "协调")],
        milestones=[milestone_row(ledger.milestone, name="")],
    )
    response = client.post(f"/ledger/{p.pk}/edit/", data)
    html = response.content.decode()
    assert "节点第 1 行：节点名称不能为空" in html
    p.refresh_from_db()
    assert p.location != "不应保存"


def test_an_unknown_milestone_unit_name_is_an_error_on_that_cell(client, org, ledger):
    p = ledger.hunan_project
    login(client, org.hunan_staff)
    data = sheet_post(
        p,
        team=[(ledger.team_member, "协调")],
        milestones=[{"name": "竣工验收", "planned_date": "2026-12-20", "unit": "火星镇"}],
    )
    response = client.post(f"/ledger/{p.pk}/edit/", data)
    assert response.status_code == 200
    assert "火星镇" in response.content.decode()
    assert not Milestone.objects.filter(name="竣工验收").exists()


@pytest.mark.parametrize("who", ["viewer", "leader", "inspector", "lead"])
def test_roles_without_ledger_rights_cannot_open_or_post_the_sheet(client, org, ledger, who):
    p = ledger.hunan_project
    login(client, getattr(org, who))
    # the project is in their view: refused as not theirs to edit (403), not as missing
    page = client.get(f"/ledger/{p.pk}/edit/")
    assert page.status_code == 403
    assert "维护项目台账" in page.content.decode()
    response = client.post(f"/ledger/{p.pk}/edit/", sheet_post(p, location="越权"))
    assert response.status_code == 403
    p.refresh_from_db()
    assert p.location != "越权"


def test_staff_of_another_town_cannot_edit(client, org, ledger):
    login(client, org.hunan_staff)
    p = ledger.songxia_project
    response = client.post(f"/ledger/{p.pk}/edit/", sheet_post(p, location="越权"), follow=True)
    assert "项目不存在或不在您的查看范围内" in response.content.decode()


def test_the_detail_page_offers_edit_only_to_who_may_edit(client, org, ledger):
    p = ledger.hunan_project
    login(client, org.hunan_staff)
    assert 'id="edit-link"' in client.get(f"/ledger/{p.pk}/").content.decode()
    client.logout()
    login(client, org.leader)
    assert 'id="edit-link"' not in client.get(f"/ledger/{p.pk}/").content.decode()


def test_the_sheet_page_reads_its_choices_once_not_per_row(
    client, org, ledger, django_assert_max_num_queries
):
    for i in range(20):
        Milestone.objects.create(
            project=ledger.hunan_project, seq=10 + i, name=f"节点{i}", planned_date=D(2026, 9, 1)
        )
    login(client, org.hunan_staff)
    with django_assert_max_num_queries(14):
        response = client.get(f"/ledger/{ledger.hunan_project.pk}/edit/")
    assert response.content.decode().count('name="ms-') > 20 * 6


def test_save_sheet_names_the_milestone_line_of_a_stale_version(org, ledger):
    p = ledger.hunan_project
    m = ledger.milestone
    Milestone.objects.filter(pk=m.pk).update(version=m.version + 1)
    row = editing.MilestoneRow(
        line=3, id=m.pk, version=m.version, name="主体完工", planned_date=D(2026, 7, 1)
    )
    with pytest.raises(ConcurrentUpdate, match="节点第 3 行"):
        editing.save_sheet(
            actor=org.hunan_staff,
            project_id=p.pk,
            expected_version=p.version,
            fields={},
            team=[(ledger.team_member, "协调")],
            milestones=[row],
        )


def test_save_sheet_refuses_a_milestone_of_another_project(org, ledger):
    other = Milestone.objects.create(
        project=ledger.songxia_project, seq=1, name="开工", planned_date=D(2026, 3, 1)
    )
    row = editing.MilestoneRow(
        line=1, id=other.pk, version=other.version, name="改名", planned_date=D(2026, 3, 1)
    )
    with pytest.raises(ValidationFailed, match="节点不属于本项目"):
        editing.save_sheet(
            actor=org.hunan_staff,
            project_id=ledger.hunan_project.pk,
            expected_version=None,
            fields={},
            team=[(ledger.team_member, "协调")],
            milestones=[row],
        )
    assert Milestone.objects.get(pk=other.pk).name == "开工"


def test_the_sheet_speaks_english_when_asked(client, org):
    login(client, org.office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/ledger/new/").content.decode()
    assert "New project" in html
    assert "Reason for not starting" in html


def test_a_new_project_and_its_new_milestone_reach_todays_battle_map_at_once(
    org, ledger, django_capture_on_commit_callbacks
):
    from gongjian.projects import ledger as ledger_service
    from gongjian.projects.models import WarningSnapshot
    from gongjian.projects.snapshots import snapshot_warnings
    from tests.projects.conftest import TODAY

    snapshot_warnings(on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        p = ledger_service.create_project(
            actor=org.hunan_staff,
            code="HN-09",
            name="新项目",
            level="district",
            unit=org.hunan,
            planned_start=D(2026, 1, 1),
            planned_completion=D(2026, 12, 31),
            actual_start=D(2026, 1, 2),
        )
    assert WarningSnapshot.objects.get(project=p, on=TODAY).colour == "yellow"  # no report yet
    with django_capture_on_commit_callbacks(execute=True):
        ledger_service.add_milestone(
            actor=org.hunan_staff, project=p, name="开挖", planned_date=D(2026, 5, 1)
        )
    assert WarningSnapshot.objects.get(project=p, on=TODAY).colour == "red"  # 62 days late


def test_a_stale_team_edit_is_refused_and_keeps_the_colleagues_team(client, org, ledger):
    p = ledger.hunan_project
    newcomer = PersonFactory(name="郑工", unit=org.hunan)
    data = sheet_post(p, team=[(ledger.team_member, "协调"), (newcomer, "我加的")])
    # A colleague changes the team after this page was drawn: the project's version moves on.
    editing.save_sheet(
        actor=org.office,
        project_id=p.pk,
        expected_version=p.version,
        fields={},
        team=[(ledger.team_member, "同事改的分工")],
        milestones=[],
    )
    login(client, org.hunan_staff)
    response = client.post(f"/ledger/{p.pk}/edit/", data)
    assert "该记录已被他人修改" in response.content.decode()
    assert list(TeamMember.objects.filter(project=p).values_list("person__name", "duty")) == [
        ("陈干部", "同事改的分工")
    ]
