"""Phone and desk tables (issue 15 item 5): at 480 px and below the ledger and the orders become
cards; on a desk short labels (codes, levels, colours, headings) never wrap."""

import pytest

from tests.dashboard.conftest import build_ledger
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Lines of an element's text: the distinct tops of its text nodes' boxes.
LINES = """e => { const tops = new Set();
  const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    if (!walk.currentNode.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(walk.currentNode);
    for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top));
  }
  return tops.size; }"""


def test_ledger_is_cards_on_a_phone_and_short_labels_never_wrap_on_a_desk(page, live_server, org):
    build_ledger(org)
    login(page, live_server.url, "office", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/ledger/")
    table = page.locator("#ledger-table")
    assert table.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"
    rows = table.locator("tbody tr")
    assert rows.count() >= 4
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "flex"  # a card, a column
    first = rows.first
    assert first.locator("td.primary a").inner_text().startswith("项目")
    name_top = first.locator("td.primary").bounding_box()["y"]
    assert name_top < first.locator("td.short").first.bounding_box()["y"]  # the name comes first
    assert first.locator("td.minor").first.evaluate("e => getComputedStyle(e).display") == "none"
    label = first.locator("td.num").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"总投资（万元）"'
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no side-scroll
    screenshot(page, "ledger-phone-cards")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/ledger/")
    short = page.locator("#ledger-table th, #ledger-table td.short")
    counts = short.evaluate_all(f"es => es.map(e => [e.innerText, ({LINES})(e)])")
    assert counts and [c for c in counts if c[1] != 1] == []
    screenshot(page, "ledger-desk")


def test_orders_board_is_cards_on_a_phone(page, live_server, org):
    build_ledger(org)
    login(page, live_server.url, "office", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/supervision/")
    table = page.locator("table.cards").first
    assert table.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_workbench_is_compact_cards_on_a_phone_and_its_labels_never_wrap_on_a_desk(
    page, live_server, org
):
    from tests.supervision.factories import make_order

    build_ledger(org)
    for i in range(5):
        make_order(org, title=f"加快征迁交地进度第{i + 1}批次并按时反馈办理结果")
    login(page, live_server.url, "hunan", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    card = page.locator("#task-orders_to_sign")
    assert card.get_attribute("data-count") == "5"
    items = card.locator("li")
    shown = items.evaluate_all(
        "es => es.filter(e => e.offsetParent !== null).map(e => e.innerText)"
    )
    assert len(shown) == 4 and shown[-1] == "查看全部 5 项"  # three orders, then the way to all
    assert all(c[1] == 1 for c in items.evaluate_all(f"es => es.map(e => [0, ({LINES})(e)])")[:3])
    tops = page.locator(".workbench .task").evaluate_all(
        "es => es.map(e => e.getBoundingClientRect().left)"
    )
    assert len(set(tops)) == 1  # one column of cards
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "workbench-phone-cards")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/")
    assert (
        card.locator("li").evaluate_all("es => es.filter(e => e.offsetParent !== null).length") == 5
    )
    short = page.locator(".task-label, .tag")
    counts = short.evaluate_all(f"es => es.map(e => [e.innerText, ({LINES})(e)])")
    assert counts and [c for c in counts if c[1] != 1] == []
    screenshot(page, "workbench-desk")
