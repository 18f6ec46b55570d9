"""The warning rules at every threshold edge, and the forecast (pure engine, no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.projects.warnings import (
    Colour,
    MilestoneFacts,
    ProjectFacts,
    Thresholds,
    assess,
    expected_percent,
    forecast_completion,
    months_between,
)

D = dt.date
START, END = D(2026, 1, 1), D(2026, 12, 31)  # 364 days
ON = D(2026, 7, 2)  # 182 days in: 序时进度 exactly 50 %


def started(percent, *, milestones=(), reports=None, on=ON):
    facts = ProjectFacts(
        planned_start=START,
        planned_completion=END,
        actual_start=START,
        milestones=milestones,
        reports=reports if reports is not None else [(on, Decimal(percent))],
    )
    return assess(facts, on)


def test_expected_percent_is_time_elapsed_share():
    assert expected_percent(START, END, ON) == Decimal("50.00")
    assert expected_percent(START, END, D(2025, 12, 1)) == 0
    assert expected_percent(START, END, D(2027, 1, 1)) == 100


@pytest.mark.parametrize(
    ("percent", "colour"),
    [
        ("40.01", Colour.GREEN),  # behind by 9.99: less than 10
        ("40", Colour.YELLOW),  # behind by exactly 10: yellow (含10)
        ("20", Colour.YELLOW),  # behind by exactly 30: still yellow (含30)
        ("19.99", Colour.RED),  # behind by 30.01: red
        ("60", Colour.GREEN),  # ahead
    ],
)
def test_gap_thresholds_are_inclusive_at_10_and_30(percent, colour):
    assert started(percent).colour is colour


def test_lagging_reason_names_both_percentages_and_the_gap():
    warning = started("35")
    assert warning.reasons == ("形象进度 35%，序时进度 50%，滞后 15 个百分点",)
    assert warning.gap == Decimal("15.00")


def test_thresholds_are_per_campaign():
    facts = ProjectFacts(START, END, actual_start=START, reports=[(ON, Decimal(45))])
    strict = Thresholds(yellow_gap=Decimal(5), red_gap=Decimal(8))
    assert assess(facts, ON).colour is Colour.GREEN
    assert assess(facts, ON, strict).colour is Colour.YELLOW


def test_not_started_is_green_before_the_planned_start_month_and_yellow_from_it():
    facts = ProjectFacts(planned_start=D(2026, 3, 20), planned_completion=END)
    assert assess(facts, D(2026, 2, 28)).colour is Colour.GREEN
    assert assess(facts, D(2026, 3, 1)).colour is Colour.YELLOW


def test_not_started_turns_red_after_three_months_without_a_reason():
    facts = ProjectFacts(planned_start=D(2026, 3, 20), planned_completion=END)
    assert assess(facts, D(2026, 6, 19)).colour is Colour.YELLOW  # 2 whole months and 30 days
    red = assess(facts, D(2026, 6, 20))
    assert red.colour is Colour.RED
    assert red.reasons == ("计划 2026-03-20 开工，尚未开工，已超过 3 个月且无正当理由",)


def test_a_recorded_reason_keeps_a_not_started_project_yellow():
    facts = ProjectFacts(
        planned_start=D(2026, 3, 20), planned_completion=END, not_started_reason="用地报批中"
    )
    warning = assess(facts, D(2026, 9, 1))
    assert warning.colour is Colour.YELLOW
    assert "用地报批中" in warning.reasons[0]


def test_overdue_milestone_is_yellow_up_to_30_days_and_red_after():
    m = MilestoneFacts("主体完工", planned=D(2026, 6, 1))
    assert started("50", milestones=[m], on=D(2026, 6, 1)).colour is Colour.GREEN
    assert started("50", milestones=[m], on=D(2026, 7, 1)).colour is Colour.YELLOW  # 30 days
    late = started("50", milestones=[m], on=D(2026, 7, 2))  # 31 days
    assert late.colour is Colour.RED
    assert "主体完工节点逾期 31 天" in late.reasons


def test_milestone_done_late_no_longer_counts():
    m = MilestoneFacts("施工许可", planned=D(2026, 3, 1), actual=D(2026, 4, 15))
    assert started("50", milestones=[m]).colour is Colour.GREEN


def test_worst_rule_wins_and_every_fired_rule_is_listed():
    m = MilestoneFacts("竣工验收", planned=D(2026, 6, 20))
    warning = started("35", milestones=[m])
    assert warning.colour is Colour.YELLOW
    assert len(warning.reasons) == 2


def test_started_without_any_report_is_yellow_not_silently_zero():
    facts = ProjectFacts(START, END, actual_start=START, reports=[])
    warning = assess(facts, ON)
    assert warning.colour is Colour.YELLOW
    assert warning.percent_done is None
    assert warning.reasons == ("已开工但尚无进度填报",)


def test_reports_after_the_warning_date_are_ignored():
    reports = [(D(2026, 6, 30), Decimal(20)), (D(2026, 7, 31), Decimal(60))]
    assert started("0", reports=reports).percent_done == Decimal(20)


def test_completed_project_is_green():
    facts = ProjectFacts(START, END, actual_start=START, actual_completion=D(2026, 6, 1))
    assert assess(facts, ON).reasons == ("已竣工",)


def test_forecast_extends_the_trend_to_100_percent():
    reports = [(D(2026, 1, 31), Decimal(10)), (D(2026, 3, 2), Decimal(20))]  # 10 points / 30 days
    assert forecast_completion(reports) == D(2026, 1, 31) + dt.timedelta(days=270)


def test_forecast_is_none_when_progress_is_flat_or_a_single_report():
    assert forecast_completion([(D(2026, 1, 31), Decimal(10))]) is None
    flat = [(D(2026, 1, 31), Decimal(10)), (D(2026, 2, 28), Decimal(10))]
    assert forecast_completion(flat) is None


def test_green_project_whose_trend_misses_the_plan_is_flagged_at_risk():
    reports = [(D(2026, 5, 31), Decimal(38)), (D(2026, 6, 30), Decimal(42))]
    warning = started("0", reports=reports, on=D(2026, 6, 30))
    assert warning.colour is Colour.GREEN
    assert warning.at_risk
    assert warning.forecast_completion is not None
    assert warning.forecast_completion > END


def test_months_between_counts_whole_months():
    assert months_between(D(2026, 1, 31), D(2026, 2, 28)) == 0
    assert months_between(D(2026, 1, 15), D(2026, 4, 15)) == 3


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_colour_never_improves_as_progress_drops(percent):
    better = started(percent)
    worse = started(max(percent - Decimal(5), Decimal(0)))
    assert worse.colour.severity >= better.colour.severity
