"""Supervision's indicator providers (issue 18, item 2): notices by issuing level with their
document numbers, overdue hazards, each fact in the round of its month and counted once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.assessment import selectors, services
from gongjian.assessment.models import UnitResult
from gongjian.supervision import notices
from tests.assessment.factories import enter, import_plan

LINE = {
    "name": "重大项目建设提速攻坚",
    "indicators": [
        {"code": "tz", "name": "投资完成得分", "method": "direct"},
        {"code": "pp_s", "name": "市级通报批评", "method": "deduction", "params": {"per": 2},
         "source": "supervision.criticism_notices.city"},
        {"code": "pp_q", "name": "区级通报批评", "method": "deduction", "params": {"per": 1},
         "source": "supervision.criticism_notices.district"},
        {"code": "pp_e", "name": "通报批评（办公室记录）", "method": "deduction",
         "params": {"per": 1}, "source": "events.criticism"},
    ],
}  # fmt: skip


def _notice(org, settings, day: str, actor=None, number: str = ""):  # type: ignore[no-untyped-def]
    settings.GONGJIAN_TODAY = day
    return notices.create_notice(
        actor=actor or org.office,
        kind="criticism",
        unit=org.hunan,
        title=f"{day} 通报",
        reason="督办事项逾期未办结。",
        publish=True,
        doc_number=number,
    )


def _compute(org, settings, period: str = "2026-12"):  # type: ignore[no-untyped-def]
    settings.GONGJIAN_TODAY = "2026-12-31"
    plan = import_plan(lines=[LINE], name=f"方案{period}")
    round_ = services.create_round(actor=None, plan=plan, period=period)
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    services.compute_round(actor=None, round=round_)
    return round_


def _parts(org, round_):  # type: ignore[no-untyped-def]
    why = selectors.explanation(org.office, round_, org.hunan)
    return {p["code"]: p for p in why["parts"]}


def test_a_notice_counts_at_its_issuing_level_with_its_document_number(org, settings) -> None:  # type: ignore[no-untyped-def]
    notice = _notice(org, settings, "2026-12-10", number="长攻坚办〔2026〕15号")
    assert notice.issuing_level == "district"  # the office of 长乐区
    city = _notice(org, settings, "2026-12-12", actor=org.city_office, number="榕攻坚〔2026〕3号")
    assert city.issuing_level == "city"
    round_ = _compute(org, settings)
    scores = dict(UnitResult.objects.filter(round=round_).values_list("unit__name", "score"))
    assert scores == {"湖南镇": Decimal("87"), "松下镇": Decimal("90")}  # − 2 (市) − 1 (区)
    parts = _parts(org, round_)
    assert parts["pp_q"]["trail"] == [
        "2026-12-10 2026-12-10 通报（长攻坚办〔2026〕15号），区（县）级"
    ]
    assert parts["pp_s"]["trail"] == ["2026-12-12 2026-12-12 通报（榕攻坚〔2026〕3号），市级"]


def test_a_fact_recorded_both_ways_counts_once_matched_by_document_number(org, settings) -> None:  # type: ignore[no-untyped-def]
    _notice(org, settings, "2026-12-10", number="长攻坚办〔2026〕15号")
    for reference in ("长攻坚办[2026]15号", "长攻坚办〔2026〕16号"):  # the same one; another
        services.record_event(
            actor=None, unit=org.hunan, kind="criticism", date=dt.date(2026, 12, 11),
            title="通报批评", reference=reference,
        )  # fmt: skip
    round_ = _compute(org, settings)
    parts = _parts(org, round_)
    assert Decimal(parts["pp_q"]["value"]) == 1
    assert Decimal(parts["pp_e"]["value"]) == 1  # only 16号: 15号 is counted by the notice
    assert parts["pp_e"]["trail"] == ["2026-12-11 通报批评（长攻坚办〔2026〕16号）"]


def test_a_notice_counts_in_the_round_of_its_month_and_not_the_next(org, settings) -> None:  # type: ignore[no-untyped-def]
    _notice(org, settings, "2026-11-28", number="长攻坚办〔2026〕9号")
    november = _compute(org, settings, "2026-11")
    december = _compute(org, settings, "2026-12")
    assert UnitResult.objects.get(round=november, unit=org.hunan).score == Decimal(89)
    assert UnitResult.objects.get(round=december, unit=org.hunan).score == Decimal(90)


@pytest.mark.parametrize(("rectified_on", "counted"), [(None, 1), ("2026-12-09", 0), ("2026-12-15", 1)])  # fmt: skip
def test_an_overdue_hazard_counts_in_the_month_it_became_overdue(
    org, settings, rectified_on, counted
) -> None:  # type: ignore[no-untyped-def]
    from gongjian.assessment.providers import get
    from gongjian.supervision.models import Hazard, Inspection

    inspection = Inspection.objects.create(
        kind="scheduled", unit=org.hunan, team="督查组", inspected_on=dt.date(2026, 12, 1),
        findings="基坑临边无防护。",
    )  # fmt: skip
    Hazard.objects.create(
        inspection=inspection, description="基坑临边未设防护栏杆", rectify_by=dt.date(2026, 12, 10),
        rectified_on=rectified_on,
    )  # fmt: skip
    settings.GONGJIAN_TODAY = "2026-12-31"
    plan = import_plan()
    provider = get("supervision.hazards_overdue")
    assert provider is not None
    december = services.create_round(actor=None, plan=plan, period="2026-12")
    january = services.create_round(actor=None, plan=plan, period="2027-01")
    assert provider.fn(december, [org.hunan])[org.hunan.pk].value == counted
    assert provider.fn(january, [org.hunan])[org.hunan.pk].value == 0
