"""In a real browser: a town's ledger with its warnings, a project's timeline, a report from a phone."""

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from gongjian.demo import org_data
from gongjian.org.models import Person
from gongjian.projects.models import ProgressReport, Project
from tests import worlds
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_town_ledger_filters_by_colour_and_opens_the_timeline(page, live_server):
    worlds.demo()
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    # A click's navigation may still be drawing the table when a bare count() reads it (CI once
    # counted 12 rows of 13): wait for the new page's URL, then let expect() retry.
    page.click("text=项目台账")
    page.wait_for_url("**/ledger/")
    rows = page.locator("#ledger-table tbody tr")
    expect(rows).to_have_count(13)
    screenshot(page, "ledger-hunan")

    page.select_option("select[name=colour]", "red")
    page.click("#ledger-filters button[type=submit]")
    page.wait_for_url("**colour=red**")
    expect(rows).to_have_count(3)
    codes = page.locator("#ledger-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    assert codes == ["HN-2026-01", "HN-2026-06", "HN-2026-10"]

    page.goto(f"{live_server.url}/ledger/?q=新区大道")
    page.click("#ledger-table a")
    expect(page.locator("#warning")).to_contain_text("主体完工节点逾期 21 天")
    expect(page.locator(".timeline-row.overdue")).to_have_count(1)
    screenshot(page, "ledger-detail")


def test_unit_staff_reports_progress_from_a_phone(browser, live_server):
    worlds.demo()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    project = Project.objects.get(code="HN-2026-09")
    page.goto(f"{live_server.url}/ledger/{project.pk}/report/")
    page.fill("input[name=period_end]", "2026-12-30")
    page.fill("input[name=percent_done]", "3")
    page.fill("textarea[name=problems]", "招标已完成")
    screenshot(page, "ledger-report-phone")
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "进度已填报" in page.content()
    assert ProgressReport.objects.get(project=project).problems == "招标已完成"
    context.close()


def test_town_staff_adds_a_project_then_plans_its_milestones_and_team(page, live_server):
    worlds.demo()
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/")
    page.click("#new-project")
    page.fill("input[name=code]", "HN-2026-14")
    page.fill("input[name=name]", "湖南镇污水管网提升")
    page.select_option("select[name=level]", "district")
    page.select_option("select[name=unit]", label="湖南镇")
    page.fill("input[name=total_investment_wan]", "2600")
    page.fill("input[name=planned_start]", "2026-10-01")
    page.fill("input[name=planned_completion]", "2027-05-31")
    page.click("#project-sheet button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "项目已新建" in page.content()

    page.fill("input[name='ms-0-name']", "管网开挖")
    page.fill("input[name='ms-0-planned_date']", "2026-12-15")
    page.fill("input[name='ms-0-unit']", "湖南镇")
    page.fill("input[name='p-location']", "湖南镇区")
    screenshot(page, "ledger-sheet")
    page.click("#project-sheet button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "项目台账已保存" in page.content()
    project = Project.objects.get(code="HN-2026-14")
    assert project.location == "湖南镇区"
    assert list(project.milestones.values_list("name", "unit__name")) == [("管网开挖", "湖南镇")]
    # 16 days overdue on the demo date: the new project's warning says so at once.
    assert "管网开挖节点逾期 16 天" in page.locator("#warning").inner_text()


def test_ledger_pager_swaps_the_list_in_place_and_keeps_filters_in_the_url(page, live_server):
    worlds.demo()
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/?sort=-planned_completion&limit=5")
    first = page.locator("#ledger-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.code)")
    assert len(first) == 5
    page.evaluate("window.__same_page = true")  # gone if the click loaded a whole new page
    page.click("#next-page")
    page.wait_for_url("**cursor=**")
    second = page.locator("#ledger-table tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.code)"
    )
    assert len(second) == 5 and not set(first) & set(second)
    assert page.evaluate("window.__same_page === true")
    assert "sort=-planned_completion" in page.url and "limit=5" in page.url
    page.click("#first-page")
    page.wait_for_url(lambda url: "cursor=" not in url)
    again = page.locator("#ledger-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.code)")
    assert again == first


def test_past_the_limit_an_office_finds_a_unit_by_typing_and_filters_by_it(
    browser, live_server, monkeypatch
):
    from gongjian.projects import pickers

    worlds.demo()
    leader = Person.objects.filter(is_leader=True).order_by("pk").first()
    monkeypatch.setattr(pickers, "PICKER_AFTER", 3)  # the demo's district has a few dozen
    for width, height in ((1366, 900), (390, 844), (1920, 1080)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        login(page, live_server.url, "changle_office", org_data.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/ledger/")
        unit = page.locator("#ledger-filters select[name=unit]")
        assert unit.locator("option").count() == 1  # 全部 only, until something is typed
        search = page.locator("#ledger-filters input[aria-controls=id_unit]")
        search.fill("湖南")
        page.wait_for_function("() => document.querySelector('#id_unit').options.length > 1")
        labels = unit.locator("option").all_inner_texts()
        assert labels[0] == "全部" and all("湖南" in label for label in labels[1:])
        assert "个符合" in page.locator("#id_unit-status").inner_text()
        town = Project.objects.filter(code__startswith="HN-").first().unit
        unit.select_option(str(town.pk))
        screenshot(page, f"ledger-unit-picker-{width}")
        page.click("#ledger-filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert f"unit={town.pk}" in page.url
        # The search box is not part of the form: only the ledger's own 搜索 (empty) is sent.
        assert parse_qs(urlparse(page.url).query, keep_blank_values=True)["q"] == [""]
        codes = page.locator("#ledger-table tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.code)"
        )
        assert codes and all(code.startswith("HN-") for code in codes)
        assert page.locator("#ledger-filters select[name=unit] option:checked").inner_text() == (
            town.name
        )
        # The project sheet's 责任单位 is the same picker.
        page.goto(f"{live_server.url}/ledger/new/")
        page.locator("input[aria-controls=id_unit]").fill("松下")
        page.wait_for_function("() => document.querySelector('#id_unit').options.length > 1")
        assert page.locator("select[name=unit] option:checked").inner_text() == "松下镇"
        # And its 责任领导: any leader may be named, found by a word of the name.
        page.locator("input[aria-controls=id_leader]").fill(leader.name)
        page.wait_for_function("() => document.querySelector('#id_leader').options.length > 1")
        labels = page.locator("select[name=leader] option").all_inner_texts()
        assert labels[0] == "—" and all(leader.name in label for label in labels[1:])
        screenshot(page, f"sheet-unit-picker-{width}")
        # The edit sheet's team and milestone rows: a search box over each person's select.
        project = Project.objects.filter(unit=town).order_by("code").first()
        page.goto(f"{live_server.url}/ledger/{project.pk}/edit/")
        assert page.locator("input[aria-controls=id_team-0-person]").count() == 1
        assert page.locator("input[aria-controls=id_ms-0-person]").count() == 1
        # The milestone table scrolls in its own box; the page is never wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"sheet-people-picker-{width}")
        context.close()
