"""Ledger pages: list with filters in scope, detail with timeline, phone report form, history."""

import datetime as dt
import io
import json
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qsl

from django.core.management import call_command

from gongjian.core import clock
from gongjian.org.models import Role
from gongjian.projects import selectors as ledger_selectors
from gongjian.projects.models import CoordinationRequest, ProgressReport, Project
from tests.factories import PASSWORD, UserFactory
from tests.projects.factories import ProjectFactory, ReportFactory

D = dt.date


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_ledger_requires_login(client, ledger):
    response = client.get("/ledger/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "/login/" in response["Location"]


def test_ledger_page_lists_only_the_users_projects_with_colours(client, org, ledger):
    login(client, org.hunan_staff)
    html = client.get("/ledger/").content.decode()
    assert 'data-code="HN-01"' in html
    assert 'data-code="SX-01"' not in html
    assert "主体完工节点逾期 21 天" in html


def test_ledger_page_filters_by_colour_and_search(client, org, ledger):
    ReportFactory(
        project=ledger.songxia_project, period_end=D(2026, 6, 30), percent_done=Decimal(5)
    )
    login(client, org.office)
    red = client.get("/ledger/", {"colour": "red"}).content.decode()
    assert 'data-code="SX-01"' in red
    assert 'data-code="HN-01"' not in red
    found = client.get("/ledger/", {"q": "安置房"}).content.decode()
    assert 'data-code="HN-01"' in found
    assert 'data-code="SX-01"' not in found


def test_ledger_page_query_count_is_bounded(client, org, ledger, django_assert_max_num_queries):
    # A page, its count and the colour tally: the same queries for 32 projects as for 92.
    login(client, org.office)
    for batch in range(2):
        for i in range(30 + 30 * batch):
            ProjectFactory(code=f"Z-{batch}-{i:02d}", unit=org.hunan)
        with django_assert_max_num_queries(20) as counted:
            response = client.get("/ledger/")
        if batch == 0:
            first = len(counted.captured_queries)
        else:
            assert len(counted.captured_queries) == first
    assert response.content.decode().count("data-code=") == 50  # the first page of 92


def test_ledger_pages_keep_filters_and_sort_in_the_url(client, org, ledger):
    for i in range(7):
        ProjectFactory(code=f"Z-{i:02d}", unit=org.hunan, level="province")
    login(client, org.office)
    query = {"level": "province", "sort": "-name", "limit": "3"}
    seen, url = [], "/ledger/"
    params: dict[str, str] = query
    while True:
        html = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
        seen += re.findall(r'data-code="([^"]+)"', html)
        link = re.search(r'href="\?([^"]+)" hx-get="[^"]+"[^>]*id="next-page"', html)
        if not link:
            break
        params = dict(parse_qsl(unescape(link.group(1))))
        assert {k: params[k] for k in query} == query  # filters and sort kept
        assert "cursor" in params
    expected = sorted(
        Project.objects.filter(level="province").values_list("name", "code"), reverse=True
    )
    assert seen == [code for _name, code in expected]


def test_ledger_page_refuses_a_bad_sort_in_chinese(client, org, ledger):
    login(client, org.office)
    response = client.get("/ledger/", {"sort": "budget"})
    assert response.status_code == 422
    assert "参数 sort 无效" in response.content.decode()


def test_detail_shows_timeline_team_and_warning(client, org, ledger):
    login(client, org.leader)
    html = client.get(f"/ledger/{ledger.hunan_project.pk}/").content.decode()
    assert 'data-milestone="主体完工"' in html
    assert "已逾期 21 天" in html
    assert "陈干部" in html
    assert "填报进度" not in html  # a leader may look, not report


def test_detail_outside_scope_redirects_with_message(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.get(f"/ledger/{ledger.songxia_project.pk}/", follow=True)
    assert "项目不存在或不在您的查看范围内" in response.content.decode()


def test_report_form_submits_a_report_with_coordination(client, org, ledger):
    login(client, org.hunan_staff)
    url = f"/ledger/{ledger.hunan_project.pk}/report/"
    assert 'type="date"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "period_end": "2026-06-30",
            "percent_done": "47",
            "investment_period_wan": "80",
            "milestones_reached": [ledger.milestone.pk],
            "problems": "用电",
            "coordination_category": "utilities",
            "coordination_description": "施工用电增容",
            "coordination_unit": "區發改局",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.percent_done == Decimal(47)
    assert CoordinationRequest.objects.get().handling_unit == org.fagai


def test_report_form_shows_domain_errors_and_changes_nothing(client, org, ledger):
    login(client, org.hunan_staff)
    response = client.post(
        f"/ledger/{ledger.hunan_project.pk}/report/",
        {
            "period_end": "2026-06-30",
            "percent_done": "47",
            "investment_period_wan": "0",
            "coordination_category": "land",
            "coordination_description": "交地",
            "coordination_unit": "不存在的局",
        },
    )
    assert response.status_code == 200
    assert "找不到单位“不存在的局”" in response.content.decode()
    assert ProgressReport.objects.count() == 0
    assert CoordinationRequest.objects.count() == 0


def test_report_form_is_refused_to_a_viewer_as_not_theirs_to_report_once(client, org, ledger):
    login(client, org.viewer)
    response = client.post(
        f"/ledger/{ledger.hunan_project.pk}/report/",
        {"period_end": "2026-06-30", "percent_done": "47", "investment_period_wan": "0"},
        follow=True,
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>无权访问</h1>" in body
    assert body.count(f"您无权对项目“{ledger.hunan_project.name}”填报进度。") == 1
    assert "不在您的查看范围内" not in body
    assert ProgressReport.objects.count() == 0


def test_a_lead_unit_and_a_leader_who_see_a_project_are_told_they_may_not_report(
    client, org, ledger
):
    for user in (org.lead, org.leader):
        login(client, user)
        assert client.get(f"/ledger/{ledger.hunan_project.pk}/").status_code == 200
        response = client.get(f"/ledger/{ledger.hunan_project.pk}/report/")
        assert response.status_code == 403, user.username
        assert "填报进度" in response.content.decode()


def test_a_project_out_of_view_is_missing_not_refused(client, org, ledger):
    other = ledger.hunan_project
    client.force_login(UserFactory(username="gulou", unit=org.gulou, roles=[Role.UNIT_STAFF]))
    for url in (f"/ledger/{other.pk}/report/", f"/ledger/{other.pk}/", "/ledger/999999/report/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content.decode().count("项目不存在或不在您的查看范围内。") == 1


def test_history_page_shows_who_changed_what(client, org, ledger):
    from gongjian.projects import ledger as ledger_service

    p = ledger.hunan_project
    ledger_service.update_project(
        actor=org.hunan_staff,
        project_id=p.pk,
        expected_version=p.version,
        changes={"owner": "建投"},
    )
    login(client, org.office)
    html = client.get(f"/ledger/{p.pk}/history/").content.decode()
    assert "修改项目台账" in html
    assert "业主单位：— → 建投" in html


def test_warnings_page_lists_lagging_projects_first(client, org, ledger):
    ReportFactory(
        project=ledger.songxia_project, period_end=D(2026, 6, 30), percent_done=Decimal(5)
    )
    login(client, org.office)
    html = client.get("/ledger/warnings/").content.decode()
    assert html.index('data-code="SX-01"') < html.index('data-code="HN-01"')


def test_warnings_page_pages_only_lit_projects_keeping_the_filters(client, org, ledger):
    ProjectFactory(
        code="GR-01",
        unit=org.hunan,
        planned_start=D(2027, 3, 1),
        planned_completion=D(2028, 12, 31),
    )
    on = clock.today()
    lit = sorted(
        r.project.code
        for r in ledger_selectors.ledger(org.office, ledger_selectors.LedgerFilter(q="-01"), on)
        if r.warning.colour.value != "green" or r.warning.at_risk
    )
    assert len(lit) == 2 and "GR-01" not in lit  # two pages of one, and the green one left out
    login(client, org.office)
    first = client.get("/ledger/warnings/", {"limit": 1, "q": "-01"})
    second = client.get(f"/ledger/warnings/?{first.context['pager'].next_query}")
    codes = [r.project.code for r in first.context["rows"] + second.context["rows"]]
    assert sorted(codes) == lit
    assert "q=-01" in first.context["pager"].next_query
    assert "sort=colour" in first.context["pager"].next_query
    assert not second.context["pager"].next_query
    assert 'id="warnings-list-pager"' in first.content.decode()


def test_warnings_command_json_matches_the_contract_and_the_page(client, org, ledger):
    out = io.StringIO()
    call_command("warnings", "--date", "2026-07-02", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["project_code"], r["colour"]) for r in rows] == [
        ("HN-01", "yellow"),
        ("SX-01", "yellow"),
    ]
    first = rows[0]
    assert first["project"] == "湖南镇安置房"
    assert first["unit"] == "湖南镇"
    assert first["level"] == "city"
    assert first["reasons"] == ["已开工但尚无进度填报", "主体完工节点逾期 21 天"]
    assert first["forecast_completion"] is None
    login(client, org.office)
    api = client.get("/api/ledger/warnings", {"date": "2026-07-02"}).json()["items"]
    assert [(r["project_code"], r["colour"], r["reasons"]) for r in api] == [
        (r["project_code"], r["colour"], r["reasons"]) for r in rows
    ]


def test_warnings_command_filters_by_campaign_and_prints_a_table(org, ledger):
    ProjectFactory(code="NO-CAMPAIGN", unit=org.hunan)
    out = io.StringIO()
    call_command(
        "warnings", "--date", "2026-07-02", "--campaign", str(org.line.campaign_id), stdout=out
    )
    text = out.getvalue()
    assert "HN-01" in text
    assert "NO-CAMPAIGN" not in text
    assert "市重点" in text and "区重点" in text  # levels in words, not codes
    assert "city" not in text
    assert "合计 2 个项目：绿灯 0，黄灯 2，红灯 0" in text
    assert Project.objects.count() == 3


def exported_codes(response):
    from openpyxl import load_workbook

    content = b"".join(response.streaming_content)  # the export is streamed
    sheet = load_workbook(io.BytesIO(content), read_only=True)["项目台账"]
    return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0])


def test_the_ledger_export_honours_the_colour_filter_of_the_page(client, org, ledger):
    ReportFactory(
        project=ledger.songxia_project, period_end=D(2026, 6, 30), percent_done=Decimal(5)
    )
    login(client, org.office)
    page = client.get("/ledger/", {"colour": "red"}).content.decode()
    assert 'data-code="SX-01"' in page
    assert 'data-code="HN-01"' not in page
    assert exported_codes(client.get("/ledger/export.xlsx", {"colour": "red"})) == ["SX-01"]
    assert exported_codes(client.get("/ledger/export.xlsx")) == ["HN-01", "SX-01"]


def test_detail_pages_the_reports_newest_first_and_sorts_them(client, org, ledger):
    p = ledger.hunan_project
    for month in (3, 4, 5):
        ReportFactory(project=p, period_end=D(2026, month, 31 if month != 4 else 30))
    login(client, org.office)
    first = client.get(f"/ledger/{p.pk}/", {"limit": 2})
    assert [r.period_end.month for r in first.context["reports"]] == [5, 4]
    second = client.get(f"/ledger/{p.pk}/?{first.context['pager'].next_query}")
    assert [r.period_end.month for r in second.context["reports"]] == [3]
    assert 'id="reports-list-pager"' in first.content.decode()
    by_percent = client.get(f"/ledger/{p.pk}/", {"sort": "percent_done"})
    assert by_percent.context["page"].sort == "percent_done"
