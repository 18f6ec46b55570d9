"""In a real browser: the milestone Gantt chart on the unit view and the project page draws a
planned and an actual bar per milestone, a today line and overdue in red, with one name a row."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.projects.models import Milestone
from tests.dashboard.conftest import build_ledger
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ON = "2026-12-02"
CHART = """() => { const c = echarts.getInstanceByDom(document.getElementById("gantt"));
  const o = c.getOption();
  return {planned: o.series[0].data.length, actual: o.series[1].data.map(d => d.itemStyle.color),
          today: o.series[0].markLine.data[0].xAxis, rows: o.yAxis[0].data.length,
          height: c.getHeight()}; }"""


def _milestones(ledger):
    p = ledger.green  # planned 2026-01-01 → 2027-12-31, 开工 on time
    Milestone.objects.create(
        project=p, seq=2, name="桩基施工完成", planned_date=dt.date(2026, 4, 1),
        actual_date=dt.date(2026, 4, 20),
    )  # fmt: skip
    Milestone.objects.create(
        project=p,
        seq=3,
        name="主体结构封顶并完成消防验收前置手续",
        planned_date=dt.date(2026, 7, 1),
    )
    Milestone.objects.create(project=p, seq=4, name="竣工验收", planned_date=dt.date(2027, 10, 1))


def test_the_gantt_draws_planned_and_actual_bars_a_today_line_and_overdue_in_red(
    page, live_server, org
):
    ledger = build_ledger(org)
    _milestones(ledger)
    login(page, live_server.url, "office", PASSWORD)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/dashboard/unit/{org.hunan.pk}/?on={ON}")
        page.wait_for_selector("body[data-gantt-ready='1']")
        chart = page.evaluate(CHART)
        # 5 milestones (the green project's 开工, the yellow's 主体完工 + 3): a row and a bar each
        assert (chart["rows"], chart["planned"]) == (5, 5)
        assert chart["height"] >= 5 * 44  # two-line labels (project, milestone) fit their row
        assert chart["today"] == int(dt.datetime(2026, 12, 2).timestamp() * 1000)
        # actual bars: the yellow's 主体完工 under way; the green's 开工 on time, 桩基 late,
        # 主体结构 overdue (red); 竣工验收 not started (its previous step is open): no bar.
        assert chart["actual"] == ["#66bb6a", "#2e7d32", "#ef6c00", "#c62828"]
        assert page.locator("#gantt").inner_text() == ""  # drawn on a canvas, nothing floating
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.locator("#gantt").scroll_into_view_if_needed()
        screenshot(page, f"gantt-unit-{width}")

        page.goto(f"{live_server.url}/ledger/{ledger.green.pk}/")
        page.wait_for_selector("body[data-gantt-ready='1']")
        chart = page.evaluate(CHART)
        assert (chart["rows"], chart["actual"]) == (4, ["#2e7d32", "#ef6c00", "#c62828"])
        assert page.locator(".timeline-row.overdue").count() == 1
        page.locator("#gantt").scroll_into_view_if_needed()
        screenshot(page, f"gantt-project-{width}")
