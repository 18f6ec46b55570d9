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


FINDINGS = {
    "name": "督查发现问题",
    "indicators": [
        {"code": "tz", "name": "投资完成得分", "method": "direct"},
        {"code": "fx", "name": "督查发现问题", "method": "deduction", "params": {"per": 0.5},
         "source": "supervision.inspection_findings"},
        {"code": "yq", "name": "督办逾期（办公室记录）", "method": "deduction", "params": {"per": 1},
         "source": "events.overdue"},
    ],
}  # fmt: skip


def _inspect(org, day: str, *problems: str, project=None):  # type: ignore[no-untyped-def]
    from gongjian.supervision.models import Hazard, Inspection

    inspection = Inspection.objects.create(
        kind="random", unit=org.hunan, project=project, team="区督查组",
        inspected_on=dt.date.fromisoformat(day), findings="现场检查情况。",
    )  # fmt: skip
    for text in problems:
        Hazard.objects.create(
            inspection=inspection, description=text,
            rectify_by=dt.date.fromisoformat(day) + dt.timedelta(days=10),
        )  # fmt: skip
    return inspection


def test_inspection_findings_count_in_the_month_of_the_inspection_each_traced_to_it(
    org, settings
) -> None:  # type: ignore[no-untyped-def]
    from tests.supervision.factories import make_project

    project = make_project(org.hunan, name="滨海大道")
    _inspect(org, "2026-11-20", "十一月发现的问题")
    _inspect(org, "2026-12-03", "基坑临边未设防护栏杆", "夜间无警示灯", project=project)
    _inspect(org, "2026-12-15")  # found nothing to rectify: costs nothing
    settings.GONGJIAN_TODAY = "2026-12-31"
    plan = import_plan(lines=[FINDINGS], name="督查方案")
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    services.compute_round(actor=None, round=round_)
    scores = dict(UnitResult.objects.filter(round=round_).values_list("unit__name", "score"))
    assert scores == {"湖南镇": Decimal("89"), "松下镇": Decimal("90")}
    fx = _parts(org, round_)["fx"]
    assert fx["trail"] == [
        "2026-12-03 区督查组不定期抽查 滨海大道：基坑临边未设防护栏杆（整改时限 2026-12-13）",
        "2026-12-03 区督查组不定期抽查 滨海大道：夜间无警示灯（整改时限 2026-12-13）",
    ]
    assert (Decimal(fx["value"]), Decimal(fx["points"])) == (2, -1)


ORDERS = {"code": "dq", "name": "督办单逾期", "method": "deduction", "params": {"per": 1},
          "source": "supervision.orders_overdue"}  # fmt: skip


@pytest.mark.parametrize(("reads_orders", "events"), [(True, 1), (False, 2)])
def test_an_office_event_citing_an_overdue_orders_number_counts_once(
    org, settings, reads_orders, events
) -> None:  # type: ignore[no-untyped-def]
    """Once: by the order when the plan reads the orders; by the event when it does not."""
    from gongjian.supervision import orders

    settings.GONGJIAN_TODAY = "2026-12-01"
    order = orders.issue_order(
        actor=org.office, unit=org.hunan, title="加快征迁交地进度", content="限期完成。",
        deadline=dt.date(2026, 12, 5),
    )  # fmt: skip
    for reference in (order.code, "长督〔2026〕88号"):  # the platform's order; an upper level's
        services.record_event(
            actor=None, unit=org.hunan, kind="overdue", date=dt.date(2026, 12, 8),
            title="督办单逾期", reference=reference,
        )  # fmt: skip
    settings.GONGJIAN_TODAY = "2026-12-31"
    line = {**FINDINGS, "indicators": FINDINGS["indicators"] + ([ORDERS] if reads_orders else [])}
    plan = import_plan(lines=[line], name="督查方案")
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    services.compute_round(actor=None, round=round_)
    parts = _parts(org, round_)
    assert Decimal(parts["yq"]["value"]) == events
    assert parts["yq"]["trail"][-1] == "2026-12-08 督办单逾期（长督〔2026〕88号）"
    if reads_orders:
        assert parts["dq"]["trail"] == [f"{order.code} 加快征迁交地进度（时限 2026-12-05）"]
    score = UnitResult.objects.get(round=round_, unit=org.hunan).score
    assert score == Decimal(90 - 2)  # the order and the upper level's, once each


def test_an_event_citing_a_notice_the_plan_does_not_read_still_counts(org, settings) -> None:  # type: ignore[no-untyped-def]
    _notice(org, settings, "2026-12-10", number="长攻坚办〔2026〕15号")  # 区级
    services.record_event(
        actor=None, unit=org.hunan, kind="criticism", date=dt.date(2026, 12, 11),
        title="通报批评", reference="长攻坚办〔2026〕15号",
    )  # fmt: skip
    settings.GONGJIAN_TODAY = "2026-12-31"
    only_city = {**LINE, "indicators": [i for i in LINE["indicators"] if i["code"] != "pp_q"]}
    plan = import_plan(lines=[only_city], name="市级方案")
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    services.compute_round(actor=None, round=round_)
    assert Decimal(_parts(org, round_)["pp_e"]["value"]) == 1
