"""Services: entry by lead units, imports, compute, system providers, objections, publish, correct."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection

from gongjian.assessment import feed, providers, services
from gongjian.assessment.explanations import stored_parts
from gongjian.assessment.models import IndicatorValue, ObjectionState, Plan, Round, RoundState
from gongjian.core.errors import (
    ConcurrentUpdate,
    ImportRejected,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from tests.assessment.factories import enter, import_plan, indicator, snapshot


def test_lead_unit_enters_a_value_for_a_unit_its_line_covers(org, draft_round: Round) -> None:
    # when the 区发改局 lead staff enters 湖南镇's value
    row = services.enter_value(
        actor=org.lead, round=draft_round, indicator=indicator(draft_round.plan, "tz"),
        unit=org.hunan, value="88.5",
    )  # fmt: skip
    # then it is stored with who entered it
    assert (row.value, row.source, row.entered_by) == (D("88.5"), "entered", org.lead)
    assert row.history.first().history_change_reason == "录入指标值"


def test_lead_unit_cannot_enter_for_a_unit_outside_its_lines(org, draft_round: Round) -> None:
    before = snapshot(draft_round)
    with pytest.raises(PermissionDenied):
        services.enter_value(
            actor=org.lead, round=draft_round, indicator=indicator(draft_round.plan, "tz"),
            unit=org.caizheng, value="1",
        )  # fmt: skip
    assert snapshot(draft_round) == before


@pytest.mark.parametrize("who", ["hunan_staff", "viewer", "inspector", "leader"])
def test_other_roles_cannot_enter_values(org, draft_round: Round, who: str) -> None:
    before = snapshot(draft_round)
    with pytest.raises(PermissionDenied):
        enter(draft_round, org.hunan, "tz", "1", actor=getattr(org, who))
    assert snapshot(draft_round) == before


def test_a_system_indicator_cannot_be_entered_by_hand(org, draft_round: Round) -> None:
    before = snapshot(draft_round)
    with pytest.raises(ValidationFailed, match="取自系统数据"):
        enter(draft_round, org.hunan, "yq", "0", actor=org.office)
    assert snapshot(draft_round) == before


def test_stale_version_is_refused_and_nothing_is_written(org, draft_round: Round) -> None:
    stale = draft_round.version
    enter(draft_round, org.hunan, "tz", "80", actor=org.office)
    before = snapshot(draft_round)
    with pytest.raises(ConcurrentUpdate):
        services.enter_value(
            actor=org.office, round=draft_round, indicator=indicator(draft_round.plan, "tz"),
            unit=org.hunan, value="99", expected_version=stale,
        )  # fmt: skip
    assert snapshot(draft_round) == before


def test_compute_refuses_missing_values_naming_unit_and_indicator(org, draft_round: Round) -> None:
    enter(draft_round, org.hunan, "tz", "90")
    before = snapshot(draft_round)
    with pytest.raises(ValidationFailed) as caught:
        services.compute_round(actor=org.office, round=draft_round)
    assert caught.value.details["missing"] == [{"unit": "松下镇", "indicator": "投资完成得分"}]
    assert "松下镇 · 投资完成得分" in caught.value.message
    assert snapshot(draft_round) == before


def test_compute_counts_overdue_events_with_their_trail(org, draft_round: Round) -> None:
    services.record_event(
        actor=org.office, unit=org.hunan, kind="overdue", date=dt.date(2026, 12, 5),
        title="杆线迁改督办单逾期", reference="长督〔2026〕1号",
    )  # fmt: skip
    services.record_event(  # another month: not counted
        actor=org.office, unit=org.hunan, kind="overdue", date=dt.date(2026, 11, 30), title="旧事"
    )
    enter(draft_round, org.hunan, "tz", "90")
    enter(draft_round, org.songxia, "tz", "85")
    services.compute_round(actor=org.office, round=draft_round)
    results = {r.unit.name: r for r in draft_round.results.select_related("unit")}
    assert (results["湖南镇"].score, results["松下镇"].score) == (D("89"), D("85"))
    part = next(p for p in stored_parts(results["湖南镇"].explanation) if p["code"] == "yq")
    assert part["trail"] == ["2026-12-05 杆线迁改督办单逾期（长督〔2026〕1号）"]
    assert part["points"] == "-1" and part["source"] == "system"
    assert draft_round.state == RoundState.COMPUTED


def test_a_registered_provider_feeds_its_indicator_and_a_silent_unit_is_refused(org) -> None:
    # given a provider that knows only 湖南镇
    providers.register(
        "test.only_hunan",
        "测试",
        lambda round_, units: {org.hunan.pk: providers.Provided(D(3), ("台账：3个项目完工",))},
    )
    try:
        plan = import_plan(
            name="系统指标方案",
            lines=[{"name": "竣工投产攻坚", "indicators": [
                {"code": "wg", "name": "完工项目数", "method": "direct", "source": "test.only_hunan"}
            ]}],
        )  # fmt: skip
        round_ = services.create_round(actor=None, plan=plan, period="2026-12")
        # when computed, 松下镇 has no value: refused by name, not a zero
        with pytest.raises(ValidationFailed, match="松下镇 · 完工项目数"):
            services.compute_round(actor=None, round=round_)
        assert round_.results.count() == 0
        # with the plan's 缺报 rule it scores zero with a note
        Plan.objects.filter(pk=plan.pk).update(missing_rule="zero")
        services.compute_round(actor=None, round=round_)
        songxia = stored_parts(round_.results.get(unit=org.songxia).explanation)[0]
        assert (songxia["points"], songxia["notes"]) == ("0", ["缺报：按方案规定计零分"])
        hunan = stored_parts(round_.results.get(unit=org.hunan).explanation)[0]
        assert hunan["trail"] == ["台账：3个项目完工"]
    finally:
        providers.unregister("test.only_hunan")


def test_new_values_after_compute_send_the_round_back_to_draft(org, computed_round: Round) -> None:
    enter(computed_round, org.hunan, "tz", "70", actor=org.lead)
    computed_round.refresh_from_db()
    assert computed_round.state == RoundState.DRAFT
    assert computed_round.results.count() == 0


def test_unit_objects_and_publishing_waits_for_the_answer(org, computed_round: Round) -> None:
    objection = services.raise_objection(
        actor=org.hunan_staff, round=computed_round, unit=org.hunan, reason="投资额漏计一个项目"
    )
    before = snapshot(computed_round)
    with pytest.raises(InvalidTransition, match="1 条异议待处理"):
        services.publish_round(actor=org.office, round=computed_round)
    assert snapshot(computed_round) == before
    services.resolve_objection(
        actor=org.office, objection=objection, accept=False, reply="已核实无误"
    )
    published = services.publish_round(actor=org.office, round=computed_round)
    assert published.state == RoundState.PUBLISHED
    objection.refresh_from_db()
    assert (objection.state, objection.reply) == (ObjectionState.REJECTED, "已核实无误")


def test_a_unit_cannot_object_for_another_unit(org, computed_round: Round) -> None:
    before = snapshot(computed_round)
    with pytest.raises(PermissionDenied):
        services.raise_objection(
            actor=org.hunan_staff, round=computed_round, unit=org.songxia, reason="x"
        )
    assert snapshot(computed_round) == before


@pytest.mark.parametrize("who", ["lead", "hunan_staff", "viewer", "leader", "inspector"])
def test_only_the_office_computes_and_publishes(org, computed_round: Round, who: str) -> None:
    before = snapshot(computed_round)
    with pytest.raises(PermissionDenied):
        services.publish_round(actor=getattr(org, who), round=computed_round)
    with pytest.raises(PermissionDenied):
        services.compute_round(actor=getattr(org, who), round=computed_round)
    assert snapshot(computed_round) == before


def test_a_draft_cannot_be_published(org, draft_round: Round) -> None:
    before = snapshot(draft_round)
    with pytest.raises(InvalidTransition):
        services.publish_round(actor=org.office, round=draft_round)
    assert snapshot(draft_round) == before


def test_correction_is_a_new_edition_and_both_stay(org, published_round: Round) -> None:
    correction = services.correct_round(
        actor=org.office, round=published_round, reason="湖南镇投资额更正"
    )
    assert (correction.edition, correction.corrects, correction.state) == (
        2,
        published_round,
        "draft",
    )
    enter(correction, org.hunan, "tz", "80", actor=org.office)
    services.compute_round(actor=org.office, round=correction)
    services.publish_round(actor=org.office, round=correction)
    from gongjian.assessment.selectors import correction_diff

    assert correction_diff(None, correction) == [
        {"unit": "松下镇", "group": "乡镇", "old_score": "85.00", "new_score": "85.00",
         "old_rank": 2, "new_rank": 1, "delta": "0.00"},
        {"unit": "湖南镇", "group": "乡镇", "old_score": "90.00", "new_score": "80.00",
         "old_rank": 1, "new_rank": 2, "delta": "-10.00"},
    ]  # fmt: skip
    assert published_round.results.get(unit=org.hunan).score == D(90)


def test_values_import_is_all_or_nothing_and_names_every_bad_cell(org, draft_round: Round) -> None:
    rows = [
        services.ValueRow("Sheet1", 2, "B", "湖南镇", "tz", "91"),
        services.ValueRow("Sheet1", 3, "B", "松下鎮", "投资完成得分", "八十"),
        services.ValueRow("Sheet1", 4, "B", "不存在镇", "tz", "80"),
    ]
    with pytest.raises(ImportRejected) as caught:
        services.import_values(actor=org.lead, round=draft_round, rows=rows)
    assert [(e.row, e.column, e.field) for e in caught.value.errors] == [
        (3, "B", "投资完成得分"),
        (4, "A", "unit"),
    ]
    assert "不是数字" in caught.value.errors[0].message
    assert IndicatorValue.objects.count() == 0


def test_values_import_writes_every_row_when_all_are_good(org, draft_round: Round) -> None:
    rows = [
        services.ValueRow("Sheet1", 2, "B", "湖南镇", "tz", "91"),
        services.ValueRow("Sheet1", 3, "B", "松下鎮", "投资完成得分", 80),
    ]
    assert services.import_values(actor=org.lead, round=draft_round, rows=rows) == 2
    assert sorted(draft_round.values.values_list("unit__name", "value", "source")) == [
        ("松下镇", D(80), "file"),
        ("湖南镇", D(91), "file"),
    ]


def test_period_must_be_a_month_and_one_round_per_plan_and_period(org, plan: Plan) -> None:
    with pytest.raises(ValidationFailed):
        services.create_round(actor=org.office, plan=plan, period="2026-13")
    services.create_round(actor=org.office, plan=plan, period="2026-11")
    with pytest.raises(ValidationFailed):
        services.create_round(actor=org.office, plan=plan, period="2026-11")
    assert Round.objects.count() == 1


def test_values_are_read_back_as_the_decimals_entered_repeats_and_fractions_alike(
    org, draft_round: Round
) -> None:
    enter(draft_round, org.hunan, "tz", "96.5")
    enter(draft_round, org.songxia, "tz", "96.5")
    first = feed.load_inputs(draft_round)["tz"]
    enter(draft_round, org.songxia, "tz", "97")
    second = feed.load_inputs(draft_round)["tz"]
    assert [first[org.hunan.pk][0], first[org.songxia.pk][0]] == [D("96.5"), D("96.5")]
    assert [second[org.hunan.pk][0], second[org.songxia.pk][0]] == [D("96.5"), D("97")]
    assert {type(v[0]) for v in [*first.values(), *second.values()]} == {D}


def test_a_units_lines_read_back_in_the_plans_order(org) -> None:
    long_first = [
        {
            "name": "重大项目建设提速攻坚",
            "indicators": [{"code": "a", "name": "甲", "method": "direct"}],
        },
        {"name": "征迁交地", "indicators": [{"code": "b", "name": "乙", "method": "direct"}]},
    ]
    round_ = services.create_round(
        actor=None, plan=import_plan(lines=long_first), period="2026-12", title="12月考评"
    )
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "a", "90")
        enter(round_, unit, "b", "80")
    services.compute_round(actor=None, round=round_)
    result = round_.results.get(unit=org.hunan)
    assert list(result.lines) == ["重大项目建设提速攻坚", "征迁交地"]
    assert list(result.explanation["lines"]) == ["重大项目建设提速攻坚", "征迁交地"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL：列的类型与压缩方式")
@pytest.mark.django_db
def test_results_are_json_text_and_explanations_lz4_compressed_on_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attcompression FROM pg_attribute"
            " WHERE attrelid = 'assessment_unitresult'::regclass"
            " AND attname IN ('lines', 'explanation') ORDER BY attname"
        )
        assert cursor.fetchall() == [("explanation", "json", "l"), ("lines", "json", "")]


def test_a_districts_plan_naming_a_unit_name_every_district_has_means_its_own(org) -> None:
    groups = {"乡镇": ["湖南镇", "松下镇"], "部门": ["区财政局"]}
    plan = import_plan(groups=groups)

    assert set(plan.members.values_list("unit_id", flat=True)) == {
        org.hunan.pk,
        org.songxia.pk,
        org.caizheng.pk,
    }


def test_a_values_file_naming_a_shared_unit_name_means_the_plans_member(org) -> None:
    plan = import_plan(groups={"乡镇": ["湖南镇", "松下镇"], "部门": ["区财政局"]})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12", title="12月考评")
    rows = [services.ValueRow("Sheet1", 2, "B", "区财政局", "tz", "77")]

    assert services.import_values(actor=None, round=round_, rows=rows) == 1
    assert round_.values.get().unit == org.caizheng


def test_a_values_file_naming_a_unit_outside_the_plan_is_refused_as_not_assessed(
    org, draft_round: Round
) -> None:
    rows = [services.ValueRow("Sheet1", 2, "B", "区发改局", "tz", "77")]

    with pytest.raises(ImportRejected) as caught:
        services.import_values(actor=None, round=draft_round, rows=rows)

    (error,) = caught.value.errors
    assert (error.row, error.field) == (2, "投资完成得分")
    assert IndicatorValue.objects.count() == 0
