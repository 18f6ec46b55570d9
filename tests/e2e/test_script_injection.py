"""Issue 12.4 in a real browser: names and texts written as script reach every page that shows
them (tables, ECharts tooltips, json_script data) and none of them runs; the pages' own scripts
raise no Content-Security-Policy violation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page

from gongjian.org.models import UnitAlias
from gongjian.projects.models import Milestone, ProgressReport
from gongjian.supervision.models import SupervisionOrder
from tests.dashboard.conftest import ON, build_ledger
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMG = "<img src=x onerror=alert(1)>"
BREAK_ATTR = '"><script>alert(1)</script>'
BREAK_SCRIPT = "</script><script>alert(2)</script>"


class Watch:
    """Every dialog (alert) a page opens, every CSP report and every uncaught error it logs."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        self.page = page

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")

    def visit(self, url: str, *, shows: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        # The payload is shown as the text the user typed, not turned into an element.
        assert shows in self.page.locator("body").inner_text(), url
        assert self.page.locator("img[src=x]").count() == 0, url

    def assert_quiet(self) -> None:
        assert self.dialogs == []
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def hostile(org):
    """The small ledger with a unit, its alias, a project, a milestone, a line, an order and a
    report each named with markup that would run if a page let it through as HTML."""
    ledger = build_ledger(org)
    org.hunan.name = "湖南镇" + IMG
    org.hunan.save()
    UnitAlias.objects.create(unit=org.hunan, alias=BREAK_ATTR)
    line = org.line.__class__.objects.create(
        campaign=ledger.campaign, name="专项" + IMG, lead_unit=org.fagai
    )
    ledger.red.name = "项目" + BREAK_ATTR + BREAK_SCRIPT
    ledger.red.save()
    ledger.yellow.line = line
    ledger.yellow.save()
    milestone = Milestone.objects.get(project=ledger.yellow)
    milestone.name = "节点" + IMG + BREAK_SCRIPT
    milestone.save()
    ProgressReport.objects.filter(project=ledger.yellow).update(problems=BREAK_SCRIPT + IMG)
    order = SupervisionOrder.objects.create(
        code="DB-XSS-1",
        title="督办" + IMG + BREAK_ATTR,
        content=BREAK_SCRIPT,
        unit=org.hunan,
        issuing_unit=org.changle,
        project=ledger.red,
        issued_on=dt.date(2026, 11, 1),
        deadline=dt.date(2026, 12, 1),
        original_deadline=dt.date(2026, 12, 1),
    )
    return ledger, milestone, order


def _hover(page: Page, chart_id: str, point_js: str, shows: str) -> str:
    """Move the mouse onto a chart's point (point_js: chart option -> [series index, value])
    and return the text of the tooltip that ECharts writes as HTML."""
    chart = page.locator(f"#{chart_id}")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    x, y = page.evaluate(
        """([id, pointJs]) => {
          const chart = echarts.getInstanceByDom(document.getElementById(id));
          const [series, value] = new Function("option", "return " + pointJs)(chart.getOption());
          return chart.convertToPixel({seriesIndex: series}, value);
        }""",
        [chart_id, point_js],
    )
    page.mouse.move(box["x"] + x, box["y"] + y - 3)
    tooltip = chart.locator("div", has_text=shows).last
    tooltip.wait_for(state="visible")
    return tooltip.inner_text()


def test_names_written_as_script_show_as_text_on_every_page_and_never_run(
    page, live_server, org, hostile
):
    ledger, milestone, order = hostile
    line_name = ledger.yellow.line.name
    watch = Watch(page)
    base = live_server.url
    on = f"on={ON:%Y-%m-%d}"

    login(page, base, "office", PASSWORD)
    watch.visit(f"{base}/ledger/", shows=BREAK_ATTR)
    watch.visit(f"{base}/ledger/{ledger.red.pk}/", shows=BREAK_SCRIPT)
    watch.visit(f"{base}/ledger/{ledger.yellow.pk}/", shows=milestone.name)
    assert BREAK_SCRIPT + IMG in page.locator("body").inner_text()  # the report's text
    watch.visit(f"{base}/ledger/warnings/", shows=BREAK_ATTR)
    watch.visit(f"{base}/dashboard/?campaign={ledger.campaign.pk}&{on}", shows=IMG)
    page.wait_for_selector("body[data-charts-ready='1']")
    # The line's name reaches the bar chart's axis tooltip.
    tip = _hover(page, "chart-lines", f"[0, [{json.dumps(line_name)}, 0]]", "累计完成")
    assert line_name in tip
    assert page.locator("#chart-lines img").count() == 0
    watch.visit(f"{base}/dashboard/?campaign={ledger.campaign.pk}&{on}&screen=1", shows=IMG)
    page.wait_for_selector("body[data-charts-ready='1']")
    watch.visit(f"{base}/dashboard/briefing/?{on}", shows=BREAK_ATTR)
    watch.visit(f"{base}/dashboard/projects/?campaign={ledger.campaign.pk}&{on}", shows=IMG)
    watch.visit(f"{base}/supervision/", shows=order.title)
    watch.visit(f"{base}/supervision/orders/{order.pk}/", shows=BREAK_SCRIPT)

    # The unit view: the milestone reaches the Gantt chart's tooltip, which ECharts writes as HTML.
    watch.visit(f"{base}/dashboard/unit/{org.hunan.pk}/?{on}", shows=milestone.name)
    page.wait_for_selector("body[data-gantt-ready='1']")
    bar = "(v => [0, [(v[1] + v[2]) / 2, v[0]]])(option.series[0].data[0])"
    tip = _hover(page, "gantt", bar, "→ 2026-12-10")
    assert ledger.yellow.name in tip and milestone.name in tip
    assert page.locator("#gantt img").count() == 0
    screenshot(page, "script-injection-gantt-tooltip")

    # The town's report form lists the milestone; it reports on the red project in script.
    page.context.clear_cookies()
    login(page, base, "hunan", PASSWORD)
    watch.visit(f"{base}/ledger/{ledger.yellow.pk}/report/", shows=milestone.name)
    watch.visit(f"{base}/ledger/{ledger.red.pk}/report/", shows=BREAK_SCRIPT)
    page.fill("input[name=period_end]", "2026-11-30")
    page.fill("input[name=percent_done]", "5")
    page.fill("textarea[name=problems]", IMG + BREAK_ATTR)
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert IMG + BREAK_ATTR in page.locator("body").inner_text()
    assert ProgressReport.objects.filter(problems=IMG + BREAK_ATTR).count() == 1

    # The leader linked to the town.
    page.context.clear_cookies()
    login(page, base, "leader", PASSWORD)
    watch.visit(f"{base}/dashboard/leader/?{on}", shows=BREAK_ATTR)

    watch.assert_quiet()


def test_a_violation_or_an_alert_would_be_seen(page, live_server, org):
    """The watch itself: an inline script is refused by the policy and reported to the console,
    and an alert the page did open would be counted."""
    watch = Watch(page)
    login(page, live_server.url, "office", PASSWORD)
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "alert(3)"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert watch.dialogs == []
    assert any("script-src" in v for v in watch.violations)
    page.evaluate("() => setTimeout(() => alert(4), 0)")
    page.wait_for_timeout(200)
    assert len(watch.dialogs) == 1


def test_pickers_still_send_their_form_on_change_now_that_handlers_live_in_page_js(
    page, live_server, org
):
    """The language picker lost its onchange= attribute; static/js/page.js sends the form."""
    watch = Watch(page)
    login(page, live_server.url, "office", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    watch.assert_quiet()
