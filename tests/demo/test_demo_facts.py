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


def test_hunan_december_explanation_shows_its_orders_and_notice_as_deductions(december) -> None:  # type: ignore[no-untyped-def]
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
    assert Decimal(why["deduction_applied"]) == Decimal("2.5")


def test_the_seed_first_places_are_still_computed_with_the_facts_counted(december) -> None:  # type: ignore[no-untyped-def]
    rows = selectors.result_rows(december)
    firsts = {}
    for r in rows:
        firsts.setdefault(r["group"], []).append(r["unit"])
    assert firsts["第一方阵"][:2] == ["湖南镇", "文武砂街道"]
    assert firsts["第二方阵"][:2] == ["松下镇", "江田镇"]
    assert firsts["第三方阵"][:2] == ["潭头镇", "玉田镇"]
    text = build_bulletin(december).text()
    assert "第一方阵前两名为湖南镇、文武砂街道" in text
    city = Round.objects.get(plan__name="县（市）区攻坚120天考评方案", period="2026-12")
    top = [(r["unit"], r["rank"]) for r in selectors.result_rows(city)[:2]]
    assert top == [("长乐区", 1), ("福清市", 1)]
