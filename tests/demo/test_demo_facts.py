"""One fact, one place (issue 18, item 2), on the whole demo: the towns' December scores count
湖南镇's overdue supervision orders and its criticism notice through the supervision providers,
each point traced to the order's number or the notice's document number, and the seed's first
places still come out of the computation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.assessment import selectors
from gongjian.assessment.bulletin import build_bulletin
from gongjian.assessment.models import Round
from gongjian.org.models import Unit, User
from gongjian.supervision.models import SupervisionOrder

TOWNS = "乡镇（街道）攻坚120天考评方案"


@pytest.fixture
def december(demo) -> Round:  # type: ignore[no-untyped-def]
    return Round.objects.get(plan__name=TOWNS, period="2026-12")


def test_hunan_december_explanation_shows_its_orders_notice_and_red_projects_as_deductions(
    december,
) -> None:  # type: ignore[no-untyped-def]
    viewer = User.objects.get(username="viewer")
    why = selectors.explanation(viewer, december, Unit.objects.get(name="湖南镇"))
    parts = {p["code"]: p for p in why["parts"]}
    orders, notice = parts["xz_yq"], parts["xz_pp_q"]
    assert (Decimal(orders["value"]), Decimal(orders["points"])) == (3, Decimal("-1.5"))
    overdue = SupervisionOrder.objects.filter(unit__name="湖南镇", overdue_on__month=12)
    codes = [t.split(" ")[0] for t in orders["trail"]]
    hunan_codes = set(
        SupervisionOrder.objects.filter(unit__name="湖南镇").values_list("code", flat=True)
    )
    assert len(set(codes)) == 3 and set(codes) <= hunan_codes
    assert set(codes) >= set(overdue.values_list("code", flat=True))
    assert (Decimal(notice["value"]), Decimal(notice["points"])) == (1, -1)
    assert notice["trail"] == [
        "2026-12-28 关于湖南镇百日攻坚督办事项逾期未办结的通报（长攻坚办〔2026〕15号），区（县）级"
    ]
    assert Decimal(why["deduction_applied"]) == Decimal("4")
    # and its red projects, from its own 百日攻坚 (campaigns: all)
    red = parts["xz_hd"]
    assert (Decimal(red["value"]), Decimal(red["points"])) == (3, Decimal("-1.5"))
    names = [t.split("（百日攻坚）：")[0] for t in red["trail"]]
    assert names == [
        "长乐国际机场二期扩建工程（湖南段）征迁交地",
        "湖南镇安置房（一期）工程",
        "湖南镇农村生活污水提升工程",
    ]
    # A town without any project has none red, as the plan says, and is still ranked.
    other = selectors.explanation(viewer, december, Unit.objects.get(name="猴屿乡"))
    none = next(p for p in other["parts"] if p["code"] == "xz_hd")
    assert (Decimal(none["value"]), none["trail"]) == (0, ["本期无在库项目，按方案计0个"])


def test_the_seed_results_with_the_facts_counted_read_back_from_pages_api_and_bulletin(
    december, client
) -> None:  # type: ignore[no-untyped-def]
    """What a user reads: the round page, the explanation page, the API and the bulletin all
    show 湖南镇 first of 第一方阵 at 95.80 with its orders, notice and red projects deducted."""
    hunan = Unit.objects.get(name="湖南镇")
    client.force_login(User.objects.get(username="viewer"))
    page = client.get(f"/assessment/rounds/{december.pk}/").content.decode()
    assert page.index("湖南镇") < page.index("文武砂街道") and "95.80" in page
    items = client.get(f"/api/assessment/rounds/{december.pk}/results?limit=500").json()["items"]
    first = [(r["unit"], r["rank"], r["score"]) for r in items if r["group"] == "第一方阵"][:2]
    assert first == [("湖南镇", 1, "95.80"), ("文武砂街道", 2, "95.20")]
    api = client.get(f"/api/assessment/rounds/{december.pk}/units/{hunan.pk}/explanation").json()
    page = client.get(f"/assessment/rounds/{december.pk}/units/{hunan.pk}/").content.decode()
    orders = SupervisionOrder.objects.filter(unit=hunan, overdue_on__month=12)
    for text in (str(api), page):
        assert "长攻坚办〔2026〕15号" in text and "湖南镇安置房（一期）工程（百日攻坚）" in text
        assert all(o.code in text for o in orders)
    assert Decimal(api["deduction_applied"]) == 4
    firsts: dict[str, list[str]] = {}
    for r in items:
        firsts.setdefault(r["group"], []).append(r["unit"])
    assert firsts["第二方阵"][:2] == ["松下镇", "江田镇"]
    assert firsts["第三方阵"][:2] == ["潭头镇", "玉田镇"]
    bulletin = build_bulletin(december).text()
    assert "第一方阵前两名为湖南镇、文武砂街道；第二方阵前两名为松下镇、江田镇" in bulletin
    city = Round.objects.get(plan__name="县（市）区攻坚120天考评方案", period="2026-12")
    rows = client.get(f"/api/assessment/rounds/{city.pk}/results").json()["items"][:2]
    assert [(r["unit"], r["rank"], r["tied"]) for r in rows] == [
        ("长乐区", 1, True),
        ("福清市", 1, True),
    ]
