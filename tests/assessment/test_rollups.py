"""Roll-ups (issue 18 item 3): a quarter's or a year's score read from published rounds of other
plans, weighted as the plan says; a round like any other, explained down to each month."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.assessment import rollups, selectors, services
from gongjian.assessment.models import Plan, Round, RoundState
from gongjian.core.errors import ImportRejected, ValidationFailed
from tests.assessment.factories import enter, import_plan

TOWNS = ["湖南镇", "松下镇"]


def month_plan(name: str = "月度考评") -> Plan:
    return import_plan(
        name=name,
        groups={"乡镇": TOWNS},
        lines=[
            {
                "name": "重大项目建设提速攻坚",
                "indicators": [{"code": "tz", "name": "投资完成得分", "method": "direct"}],
            }
        ],
    )


def rollup_plan(name: str, indicators: list[dict[str, Any]], **extra: Any) -> Plan:
    return import_plan(
        name=name,
        groups=extra.pop("groups", {"乡镇": TOWNS}),
        lines=[{"name": "汇总", "indicators": indicators}],
        **extra,
    )


def published(plan: Plan, period: str, scores: dict[Any, Any]) -> Round:
    round_ = services.create_round(actor=None, plan=plan, period=period)
    for unit, score in scores.items():
        enter(round_, unit, "tz", score)
    services.compute_round(actor=None, round=round_)
    return services.publish_round(actor=None, round=round_)


def computed(plan: Plan, period: str, title: str = "") -> Round:
    round_ = services.create_round(actor=None, plan=plan, period=period, title=title)
    services.compute_round(actor=None, round=round_)
    round_.refresh_from_db()
    return round_


def scores(round_: Round) -> dict[str, tuple[Decimal, int]]:
    return {r.unit.name: (r.score, r.rank) for r in round_.results.select_related("unit")}


QUARTER = [
    {
        "code": "yd",
        "name": "三个月月度考评",
        "method": "direct",
        "weight": 0.3,
        "full_marks": 300,
        "source": "rounds.score",
        "params": {"plan": "月度考评", "window": 3, "aggregate": "sum"},
    },
    {
        "code": "gm",
        "name": "观摩",
        "method": "direct",
        "weight": 0.1,
        "source": "rounds.score",
        "params": {"plan": "观摩考评"},
    },
]


@pytest.fixture
def quarter_sources(org: Any) -> dict[str, Round]:
    months = month_plan()
    review = month_plan("观摩考评")
    return {
        "10": published(months, "2026-10", {org.hunan: 80, org.songxia: 90}),
        "11": published(months, "2026-11", {org.hunan: 85, org.songxia: 88}),
        "12": published(months, "2026-12", {org.hunan: 95, org.songxia: 86}),
        "gm": published(review, "2026-12", {org.hunan: 90, org.songxia: 70}),
    }


def test_a_quarter_is_three_months_at_30_percent_and_the_review_at_10(
    org: Any, quarter_sources: dict[str, Round]
) -> None:
    quarter = computed(rollup_plan("季度考评", QUARTER), "2026-12", "第四季度")
    # 湖南镇 0.3 × (80 + 85 + 95) + 0.1 × 90 = 87; 松下镇 0.3 × 264 + 0.1 × 70 = 86.2
    assert scores(quarter) == {"湖南镇": (Decimal("87"), 1), "松下镇": (Decimal("86.2"), 2)}
    assert quarter.state == RoundState.COMPUTED
    # ranked, objected to and published as any round
    services.publish_round(actor=None, round=quarter)


def test_the_explanation_goes_down_to_each_month_round(
    org: Any, quarter_sources: dict[str, Round]
) -> None:
    quarter = computed(rollup_plan("季度考评", QUARTER), "2026-12")
    x = selectors.explanation(org.office, quarter, org.hunan)
    months = next(p for p in x["parts"] if p["code"] == "yd")
    assert months["value"] == "260"
    assert [s["period"] for s in months["sources"]] == ["2026-10", "2026-11", "2026-12"]
    assert [s["round_id"] for s in months["sources"]] == [
        quarter_sources[m].pk for m in ("10", "11", "12")
    ]
    assert [s["text"] for s in months["sources"]] == [
        "2026-10 月度考评：80分，乡镇第2名",
        "2026-11 月度考评：85分，乡镇第2名",
        "2026-12 月度考评：95分，乡镇第1名",
    ]
    review = next(p for p in x["parts"] if p["code"] == "gm")
    assert [s["text"] for s in review["sources"]] == ["2026-12 观摩考评：90分，乡镇第1名"]


def test_explanation_page_links_each_month(
    client: Any, org: Any, quarter_sources: dict[str, Round]
) -> None:
    quarter = computed(rollup_plan("季度考评", QUARTER), "2026-12")
    client.force_login(org.office)
    page = client.get(f"/assessment/rounds/{quarter.pk}/units/{org.hunan.pk}/").content.decode()
    for m in ("10", "11", "12"):
        assert f"/assessment/rounds/{quarter_sources[m].pk}/units/{org.hunan.pk}/" in page
    assert "2026-11 月度考评：85分，乡镇第2名" in page


def test_a_month_not_published_is_refused_by_name_and_nothing_is_computed(org: Any) -> None:
    months = month_plan()
    month_plan("观摩考评")
    published(months, "2026-10", {org.hunan: 80, org.songxia: 90})
    services.create_round(actor=None, plan=months, period="2026-11")  # a draft
    quarter = services.create_round(
        actor=None, plan=rollup_plan("季度考评", QUARTER[:1]), period="2026-12"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.compute_round(actor=None, round=quarter)
    assert "月度考评" in refused.value.message
    assert "2026-11、2026-12" in refused.value.message
    quarter.refresh_from_db()
    assert quarter.state == RoundState.DRAFT
    assert not quarter.results.exists()
    assert not quarter.sources.exists()


def test_a_year_is_monthly_mean_10_half_year_45_and_year_end_45(org: Any) -> None:
    months, half, year_end = month_plan(), month_plan("半年考评"), month_plan("年终考评")
    for m in range(1, 13):
        published(months, f"2026-{m:02d}", {org.hunan: 60 + m, org.songxia: 70})
    published(half, "2026-06", {org.hunan: 80, org.songxia: 90})
    published(year_end, "2026-12", {org.hunan: 90, org.songxia: 80})
    year = rollup_plan(
        "年度考评",
        [
            {"code": "yd", "name": "月度平均", "method": "direct", "weight": 0.1,
             "source": "rounds.score", "params": {"plan": "月度考评", "window": 12}},
            {"code": "bn", "name": "半年考评", "method": "direct", "weight": 0.45,
             "source": "rounds.score", "params": {"plan": "半年考评", "offset": 6}},
            {"code": "nz", "name": "年终考评", "method": "direct", "weight": 0.45,
             "source": "rounds.score", "params": {"plan": "年终考评"}},
        ],
    )  # fmt: skip
    result = computed(year, "2026-12", "2026年度")
    # 湖南镇: mean(61..72) = 66.5 → 6.65 + 36 + 40.5 = 83.15; 松下镇: 7 + 40.5 + 36 = 83.5
    assert scores(result) == {"湖南镇": (Decimal("83.15"), 2), "松下镇": (Decimal("83.5"), 1)}


def test_four_quarters_at_95_percent_and_the_leaders_evaluation_at_5(org: Any) -> None:
    quarters = month_plan("季度考评")
    for m, (a, b) in zip((3, 6, 9, 12), ((80, 90), (82, 88), (84, 86), (86, 84)), strict=True):
        published(quarters, f"2026-{m:02d}", {org.hunan: a, org.songxia: b})
    year = rollup_plan(
        "年度考评",
        [
            {"code": "jd", "name": "四个季度", "method": "direct", "weight": 0.95,
             "source": "rounds.score", "params": {"plan": "季度考评", "window": 4, "every": 3}},
            {"code": "ld", "name": "领导评价", "method": "direct", "weight": 0.05},
        ],
    )  # fmt: skip
    round_ = services.create_round(actor=None, plan=year, period="2026-12")
    enter(round_, org.hunan, "ld", 100)
    enter(round_, org.songxia, "ld", 80)
    services.compute_round(actor=None, round=round_)
    # 湖南镇 0.95 × 83 + 5 = 83.85; 松下镇 0.95 × 87 + 4 = 86.65
    assert scores(round_) == {"湖南镇": (Decimal("83.85"), 2), "松下镇": (Decimal("86.65"), 1)}
    assert [s.source.period for s in round_.sources.all()] == [
        "2026-03", "2026-06", "2026-09", "2026-12",
    ]  # fmt: skip


def test_a_group_ranked_apart_and_a_score_normalised_to_100(org: Any) -> None:
    months = import_plan(
        name="月度考评",
        groups={"乡镇": TOWNS, "开发区": ["区发改局", "湖南村"]},
        lines=[
            {
                "name": "重大项目建设提速攻坚",
                "indicators": [
                    {"code": "tz", "name": "投资", "method": "direct", "full_marks": 120}
                ],
            }
        ],
    )
    published(
        months, "2026-12", {org.hunan: 120, org.songxia: 90, org.fagai: 60, org.hunan_village: 30}
    )
    by_full = rollup_plan(
        "折算",
        [{"code": "yd", "name": "月度", "method": "direct", "source": "rounds.score",
          "params": {"plan": "月度考评", "normalise": 120}}],
        groups={"乡镇": TOWNS, "开发区": ["区发改局", "湖南村"]},
    )  # fmt: skip
    assert scores(computed(by_full, "2026-12")) == {
        "湖南镇": (Decimal("100"), 1),
        "松下镇": (Decimal("75"), 2),
        "区发改局": (Decimal("50"), 1),  # 开发区单独排名
        "湖南村": (Decimal("25"), 2),
    }
    by_top = rollup_plan(
        "组内最高折算",
        [{"code": "yd", "name": "月度", "method": "direct", "source": "rounds.score",
          "params": {"plan": "月度考评", "normalise": "top"}}],
        groups={"乡镇": TOWNS, "开发区": ["区发改局", "湖南村"]},
    )  # fmt: skip
    assert scores(computed(by_top, "2026-12")) == {
        "湖南镇": (Decimal("100"), 1),
        "松下镇": (Decimal("75"), 2),
        "区发改局": (Decimal("100"), 1),
        "湖南村": (Decimal("50"), 2),
    }


def test_a_quarter_scores_its_own_indicators_beside_the_months(
    org: Any, quarter_sources: dict[str, Round]
) -> None:
    own = [*QUARTER[:1], {"code": "zx", "name": "季度专项", "method": "direct", "weight": 0.2}]
    round_ = services.create_round(actor=None, plan=rollup_plan("季度考评", own), period="2026-12")
    enter(round_, org.hunan, "zx", 50)
    enter(round_, org.songxia, "zx", 100)
    services.compute_round(actor=None, round=round_)
    # 湖南镇 78 + 10 = 88; 松下镇 79.2 + 20 = 99.2
    assert scores(round_) == {"湖南镇": (Decimal("88"), 2), "松下镇": (Decimal("99.2"), 1)}


def test_a_month_corrected_after_the_quarter_was_published_marks_it_and_changes_nothing(
    client: Any, org: Any, quarter_sources: dict[str, Round]
) -> None:
    quarter = computed(rollup_plan("季度考评", QUARTER), "2026-12")
    quarter = services.publish_round(actor=None, round=quarter)
    before = scores(quarter)
    assert rollups.superseded_sources(quarter) == []
    correction = services.correct_round(
        actor=None, round=quarter_sources["11"], reason="湖南镇投资数据更正"
    )
    enter(correction, org.hunan, "tz", 100)
    services.compute_round(actor=None, round=correction)
    assert rollups.superseded_sources(quarter) == []  # not until the correction is published
    correction = services.publish_round(actor=None, round=correction)
    marked = rollups.superseded_sources(quarter)
    assert [(s.used.pk, s.latest.pk) for s in marked] == [(quarter_sources["11"].pk, correction.pk)]
    assert rollups.using_rollups(correction) == [quarter]
    assert scores(quarter) == before  # never changed silently
    client.force_login(org.office)
    page = client.get(f"/assessment/rounds/{quarter.pk}/").content.decode()
    assert "本汇总需出更正版本" in page
    assert "更正第2版" in page
    month_page = client.get(f"/assessment/rounds/{correction.pk}/").content.decode()
    assert "需出更正版本" in month_page
    # the quarter's own correction reads the corrected month
    fixed = services.correct_round(actor=None, round=quarter, reason="11月考评已更正")
    services.compute_round(actor=None, round=fixed)
    assert scores(fixed)["湖南镇"] == (Decimal("91.5"), 1)  # 87 + 0.3 × (100 − 85)
    services.publish_round(actor=None, round=fixed)
    assert rollups.using_rollups(correction) == []


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({}, "plan"),
        ({"plan": "月度考评", "window": 0}, "window"),
        ({"plan": "月度考评", "offset": "x"}, "offset"),
        ({"plan": "月度考评", "aggregate": "max"}, "aggregate"),
        ({"plan": "月度考评", "normalise": -5}, "normalise"),
        ({"plan": "月度考评", "windw": 3}, "windw"),
    ],
)
def test_bad_roll_up_params_are_refused_at_plan_import_by_name(
    org: Any, params: dict[str, Any], key: str
) -> None:
    with pytest.raises(ImportRejected) as refused:
        rollup_plan(
            "季度考评",
            [{"code": "yd", "name": "月度", "method": "direct", "source": "rounds.score",
              "params": params}],
        )  # fmt: skip
    fields = [e.field for e in refused.value.errors]
    assert f"params.{key}" in fields
    assert not Plan.objects.filter(name="季度考评").exists()


def test_window_periods_cross_the_year() -> None:
    assert rollups.Window("m", window=3).periods("2026-02") == ["2025-12", "2026-01", "2026-02"]
    assert rollups.Window("m", window=4, every=3).periods("2026-12") == [
        "2026-03", "2026-06", "2026-09", "2026-12",
    ]  # fmt: skip
    assert rollups.Window("m", offset=6).periods("2026-12") == ["2026-06"]


EXAMPLES = itertools.count()
month_scores = st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=2, max_size=2)


@settings(
    max_examples=12,
    derandomize=True,  # the same months in every run
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=month_scores, window=st.integers(min_value=1, max_value=3))
def test_a_roll_up_of_identical_months_equals_the_month(
    org: Any, values: list[Decimal], window: int
) -> None:
    tag = str(next(EXAMPLES))
    months = month_plan(f"月度{tag}")
    month_rounds = [
        published(months, f"2026-{m:02d}", dict(zip([org.hunan, org.songxia], values, strict=True)))
        for m in range(13 - window, 13)
    ]
    quarter = computed(
        rollup_plan(
            f"汇总{tag}",
            [{"code": "yd", "name": "月度", "method": "direct", "source": "rounds.score",
              "params": {"plan": f"月度{tag}", "window": window}}],
        ),
        "2026-12",
    )  # fmt: skip
    assert scores(quarter) == scores(month_rounds[-1])


def test_each_months_score_is_rounded_half_up_at_its_plans_precision_before_it_is_added(
    org: Any,
) -> None:
    """The summing query (SQLite keeps these scores as floats) adds what the per-round path
    adds: the same months read through `normalise: 100`, which scales by one, agree to the last
    digit, and 85.125 + 85.135 at two places is 85.13 + 85.14."""
    months = month_plan()
    published(months, "2026-10", {org.hunan: "85.125", org.songxia: "70.0049"})
    published(months, "2026-11", {org.hunan: "85.135", org.songxia: "70.0051"})
    params = {"plan": "月度考评", "window": 2, "aggregate": "sum"}
    two = rollup_plan(
        "两月合计",
        [
            {"code": "sql", "name": "合计", "method": "direct", "source": "rounds.score",
             "params": params},
            {"code": "py", "name": "合计（折算）", "method": "direct", "source": "rounds.score",
             "params": {**params, "normalise": 100}},
        ],
    )  # fmt: skip
    round_ = services.create_round(actor=None, plan=two, period="2026-11")
    units = [org.hunan, org.songxia]
    summed, scaled = (
        rollups.rounds_score(round_, units, two.indicators.get(code=code)) for code in ("sql", "py")
    )
    assert {u: p.value for u, p in summed.items()} == {
        org.hunan.pk: Decimal("170.27"),
        org.songxia.pk: Decimal("140.01"),
    }
    assert {u: str(p.value) for u, p in summed.items()} == {
        u: str(p.value) for u, p in scaled.items()
    }
