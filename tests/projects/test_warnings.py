"""The warning rules at every threshold edge, and the forecast (pure engine, no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.projects.warnings import (
    UNDECIDED,
    Colour,
    MilestoneFacts,
    Progress,
    ProjectFacts,
    Thresholds,
    Trend,
    assess,
    expected_percent,
    forecast_completion,
    months_between,
    progress_of,
    trend_forecast,
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


# --- the forecast from sums (what the ledger's query gives) is `forecast_completion`'s date ---

percents = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def report_series(draw, max_size=8):
    """Reports on distinct dates with two-decimal percents, like the ledger's."""
    days = draw(st.lists(st.integers(0, 800), min_size=1, max_size=max_size, unique=True))
    values = draw(st.lists(percents, min_size=len(days), max_size=len(days)))
    if draw(st.booleans()):  # as reported: progress does not go back
        values.sort()
        days.sort()
    return [(D(2026, 1, 1) + dt.timedelta(days=d), p) for d, p in zip(days, values, strict=True)]


def forecast_from_sums(reports):
    return trend_forecast(Trend.of(reports))


@given(report_series())
def test_the_forecast_from_sums_is_the_forecast_from_reports_when_it_decides(reports):
    found = forecast_from_sums(reports)
    if found is not UNDECIDED:
        assert found == forecast_completion(reports)


@given(report_series(max_size=12), st.integers(0, 40_000))
def test_the_forecast_from_sums_counted_from_the_warning_date_is_the_same(reports, later):
    # As the ledger's query sums them: x in days from the warning date, ≤ 0.
    on = max(d for d, _p in reports) + dt.timedelta(days=later)
    six = sorted(reports)[-6:]
    xs = [(d - on).days for d, _p in six]
    ys = [int(p * 100) for _d, p in six]
    sums = Trend(
        len(six), sum(xs), sum(ys), sum(x * y for x, y in zip(xs, ys, strict=True)),
        sum(x * x for x in xs), xs[-1], ys[-1], on,
    )  # fmt: skip
    found = trend_forecast(sums)
    if found is not UNDECIDED:
        assert found == forecast_completion(reports)


@given(report_series(max_size=12))
def test_the_forecast_from_sums_reads_only_the_last_six_reports(reports):
    found = forecast_from_sums(reports)
    if found is not UNDECIDED:
        assert found == forecast_completion(sorted(reports)[-6:])


def test_the_forecast_from_sums_decides_ordinary_trends():
    reports = [(D(2026, 1, 31), Decimal(10)), (D(2026, 3, 2), Decimal(20))]
    assert forecast_from_sums(reports) == D(2026, 1, 31) + dt.timedelta(days=270)
    monthly = [(D(2026, m, 28), Decimal(m * 7) + Decimal("0.13")) for m in range(1, 13)]
    assert forecast_from_sums(monthly) == forecast_completion(monthly)
    assert forecast_from_sums([(D(2026, 1, 31), Decimal(10))]) is None  # a single report
    falling = [(D(2026, 1, 31), Decimal(30)), (D(2026, 2, 28), Decimal(20))]
    assert forecast_from_sums(falling) is None
    done = [(D(2026, 1, 31), Decimal(60)), (D(2026, 2, 28), Decimal(100))]
    assert forecast_from_sums(done) == D(2026, 2, 28)


def test_the_forecast_from_sums_leaves_a_half_day_to_the_reports():
    # Exactly 85.5 days after 2026-09-02: in floating point a hair under, so 85 days.
    tie = [(D(2026, 9, 2), Decimal("82.71")), (D(2026, 11, 22), Decimal("99.09"))]
    assert forecast_from_sums(tie) is UNDECIDED
    assert forecast_completion(tie) == D(2026, 11, 26)


@pytest.mark.parametrize(
    "dates",
    [
        # The float slope of these comes out a rounding error above zero: the line "reaches"
        # 100 % after the year 9999, which raised OverflowError and failed the whole batch.
        [D(2026, 7, 9), D(2026, 7, 21), D(2026, 9, 8)],
        [D(2026, 1, 28), D(2026, 2, 28), D(2026, 3, 28)],
    ],
)
def test_a_flat_line_has_no_forecast(dates):
    for percent in ("85.35", "10.10", "69.9", "0"):
        flat = [(d, Decimal(percent)) for d in dates]
        assert forecast_completion(flat) is None
        assert forecast_from_sums(flat) is None


def test_a_trend_that_reaches_100_percent_only_after_the_year_9999_has_no_forecast():
    crawl = [(D(2026, 1, 1), Decimal(0)), (D(2026, 12, 31), Decimal("0.01"))]  # 0.01 % a year
    assert forecast_completion(crawl) is None
    assert forecast_from_sums(crawl) in (None, UNDECIDED)


@given(report_series(max_size=10), st.integers(0, 900))
def test_facts_with_their_progress_worked_out_are_assessed_as_with_their_reports(reports, day):
    on = D(2026, 1, 1) + dt.timedelta(days=day)
    facts = ProjectFacts(START, END, actual_start=START, reports=reports)
    progress = progress_of(reports, on)
    assert assess(facts, on) == assess(ProjectFacts(START, END, START, progress=progress), on)
    assert progress == Progress(
        max((r for r in reports if r[0] <= on), default=(None, None))[1],
        forecast_completion([r for r in reports if r[0] <= on]),
        sum(1 for r in reports if r[0] <= on),
    )


@given(st.integers(0, 3000), st.integers(1, 3000))
def test_expected_percent_rounds_half_up_to_the_cent(elapsed, total):
    start = D(2025, 1, 1)
    on, end = start + dt.timedelta(days=elapsed), start + dt.timedelta(days=total)
    reference = (
        Decimal(0)
        if on <= start
        else Decimal(100)
        if on >= end
        else (Decimal(elapsed) * 100 / Decimal(total)).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )
    )
    found = expected_percent(start, end, on)
    assert found == reference
    assert str(found) == str(reference)  # the same exponent: it is written out as it is
