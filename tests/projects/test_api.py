"""The ledger API for every role: lists in scope, writes refused outside it, nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.projects.models import Milestone, ProgressReport, Project
from tests.factories import PASSWORD
from tests.projects.factories import ProjectFactory

D = dt.date


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def state():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(ProgressReport.objects.order_by("pk").values()),
    )


def test_anonymous_is_refused_everywhere(client, ledger):
    pk = ledger.hunan_project.pk
    assert client.get("/api/ledger/projects").status_code == 401
    assert client.get(f"/api/ledger/projects/{pk}").status_code == 401
    assert client.get("/api/ledger/warnings").status_code == 401
    before = state()
    response = client.post(
        f"/api/ledger/projects/{pk}/reports",
        {"period_end": "2026-06-30", "percent_done": "10"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert state() == before


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("office", ["HN-01", "SX-01"]),
        ("hunan_staff", ["HN-01"]),
        ("lead", ["HN-01", "SX-01"]),
        ("leader", ["HN-01"]),
        ("inspector", ["HN-01", "SX-01"]),
        ("viewer", ["HN-01"]),
    ],
)
def test_list_holds_exactly_the_users_scope(client, org, ledger, who, codes):
    login(client, getattr(org, who))
    response = client.get("/api/ledger/projects")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["items"]] == codes
    assert response.json()["count"] == len(codes)


def test_list_carries_warning_and_filters(client, org, ledger):
    login(client, org.office)
    body = client.get("/api/ledger/projects", {"q": "安置"}).json()["items"]
    assert len(body) == 1
    assert body[0]["colour"] == "yellow"
    assert body[0]["reasons"] == ["已开工但尚无进度填报", "主体完工节点逾期 21 天"]
    assert body[0]["leader"] == "王书记"


def test_list_query_count_does_not_grow_with_projects(
    client, org, ledger, django_assert_max_num_queries
):
    for i in range(30):
        ProjectFactory(code=f"Z-{i:02d}", unit=org.hunan)
    login(client, org.office)
    # 9: PostgreSQL asks the planner's estimate before counting (`core.paging.count`).
    with django_assert_max_num_queries(9) as small:
        response = client.get("/api/ledger/projects")
    assert len(response.json()["items"]) == 32
    for i in range(30, 60):
        ProjectFactory(code=f"Z-{i:02d}", unit=org.hunan)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/ledger/projects")
    assert len(response.json()["items"]) == 50


def test_detail_outside_scope_is_404_without_leaking(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.get(f"/api/ledger/projects/{ledger.songxia_project.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_has_team_and_milestones(client, org, ledger):
    login(client, org.viewer)
    body = client.get(f"/api/ledger/projects/{ledger.hunan_project.pk}").json()
    assert body["team"] == [{"person": "陈干部", "duty": "协调"}]
    assert [m["name"] for m in body["milestones"]] == ["主体完工"]


def test_unit_staff_reports_progress_for_own_project(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.post(
        f"/api/ledger/projects/{ledger.hunan_project.pk}/reports",
        {
            "period_end": "2026-06-30",
            "percent_done": "48.5",
            "investment_period_wan": "120",
            "milestone_ids": [ledger.milestone.pk],
            "problems": "用地未交",
            "coordination": [
                {"category": "land", "description": "交地", "handling_unit_id": org.fagai.pk}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["milestones_reached"] == ["主体完工"]
    assert body["coordination"][0]["handling_unit"] == "区发改局"
    assert Project.objects.get(pk=ledger.hunan_project.pk).percent_done == Decimal("48.50")


@pytest.mark.parametrize("who", ["leader", "inspector", "viewer", "lead"])
def test_read_only_roles_cannot_report_and_nothing_changes(client, org, ledger, who):
    login(client, getattr(org, who))
    before = state()
    response = client.post(
        f"/api/ledger/projects/{ledger.hunan_project.pk}/reports",
        {"period_end": "2026-06-30", "percent_done": "10"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert state() == before


def test_unit_staff_cannot_touch_another_units_project(client, org, ledger):
    login(client, org.hunan_staff)
    before = state()
    pk = ledger.songxia_project.pk
    r1 = client.post(
        f"/api/ledger/projects/{pk}/reports",
        {"period_end": "2026-06-30", "percent_done": "10"},
        content_type="application/json",
    )
    r2 = client.patch(
        f"/api/ledger/projects/{pk}", {"version": 1, "owner": "x"}, content_type="application/json"
    )
    assert (r1.status_code, r2.status_code) == (404, 404)
    assert state() == before


def test_create_in_own_unit_and_refused_in_another(client, org, ledger):
    login(client, org.hunan_staff)
    ok = client.post(
        "/api/ledger/projects",
        {
            "code": "HN-02",
            "name": "卫生院",
            "level": "district",
            "unit_id": org.hunan.pk,
            "line_id": org.line.pk,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert ok.json()["campaign"] == "攻坚120天"
    before = state()
    refused = client.post(
        "/api/ledger/projects",
        {"code": "SX-02", "name": "x", "level": "district", "unit_id": org.songxia.pk},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert state() == before


def test_patch_with_stale_version_is_409_and_nothing_changes(client, org, ledger):
    login(client, org.office)
    pk = ledger.hunan_project.pk
    first = client.patch(
        f"/api/ledger/projects/{pk}", {"version": 1, "owner": "甲"}, content_type="application/json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    before = state()
    stale = client.patch(
        f"/api/ledger/projects/{pk}", {"version": 1, "owner": "乙"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_update"
    assert state() == before


def test_invalid_report_is_422_naming_the_field(client, org, ledger):
    login(client, org.hunan_staff)
    before = state()
    response = client.post(
        f"/api/ledger/projects/{ledger.hunan_project.pk}/reports",
        {"period_end": "2026-07-03", "percent_done": "10"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "period_end"
    assert state() == before


def test_milestone_patch_records_the_actual_date(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.patch(
        f"/api/ledger/milestones/{ledger.milestone.pk}",
        {"version": 1, "actual_date": "2026-06-20"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Milestone.objects.get(pk=ledger.milestone.pk).actual_date == D(2026, 6, 20)


def test_resolve_coordination_by_api(client, org, ledger):
    from gongjian.projects.coordination import raise_coordination

    c = raise_coordination(
        actor=org.hunan_staff, project=ledger.hunan_project, category="funds", description="资金"
    )
    login(client, org.viewer)
    assert (
        client.post(
            f"/api/ledger/coordination/{c.pk}/resolve",
            {"version": 1, "resolution": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    login(client, org.office)
    ok = client.post(
        f"/api/ledger/coordination/{c.pk}/resolve",
        {"version": 1, "resolution": "已拨付"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "resolved"


def test_warnings_endpoint_matches_the_contract(client, org, ledger):
    login(client, org.hunan_staff)
    body = client.get("/api/ledger/warnings", {"date": "2026-07-02"}).json()["items"]
    assert [(r["project_code"], r["colour"]) for r in body] == [("HN-01", "yellow")]
    assert set(body[0]) >= {
        "project_code",
        "project",
        "unit",
        "level",
        "colour",
        "reasons",
        "forecast_completion",
    }


def test_campaigns_list_lines(client, org, ledger):
    login(client, org.viewer)
    body = client.get("/api/ledger/campaigns").json()
    assert body[0]["name"] == "攻坚120天"
    assert body[0]["lines"] == [
        {"id": org.line.pk, "name": "重大项目建设提速攻坚", "lead_unit": "区发改局"}
    ]


def test_a_second_report_for_the_same_period_is_a_409_in_chinese(client, org, ledger):
    login(client, org.hunan_staff)
    url = f"/api/ledger/projects/{ledger.hunan_project.pk}/reports"
    body = {"period_end": "2026-06-30", "percent_done": "40"}
    assert client.post(url, body, content_type="application/json").status_code == 201
    before = state()
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_exists",
        "message": "2026-06-30 的进度已填报；如需更正，请在原填报上修改。",
        "field": "period_end",
    }
    assert state() == before
