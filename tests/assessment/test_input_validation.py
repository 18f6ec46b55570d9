"""Input that is refused, or read the same on both databases (issue 18, item 7).

Each refusal names where and what, and leaves the round as it was. Run on SQLite and, with
DATABASE_URL, on PostgreSQL: a value the store keeps reads back the same on both.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from openpyxl import load_workbook

from gongjian.assessment import plan_file, services
from gongjian.assessment.engine import NOTES, Indicator, Input, Member, Method, Rules, compute
from gongjian.assessment.models import IndicatorValue, Plan, Round
from gongjian.assessment.values_file import read_values
from gongjian.core.errors import ImportRejected, ValidationFailed
from gongjian.exchange.numbers import read_decimal
from tests.assessment.factories import enter, import_plan, indicator, plan_dict, snapshot

COUNTS = [
    {"code": "tz", "name": "投资完成得分", "method": "direct"},
    {"code": "wc", "name": "投资完成率", "method": "completion", "params": {"target": 100}},
    {"code": "by", "name": "通报表扬", "method": "bonus", "params": {"per": 1}},
    {"code": "pp", "name": "通报批评", "method": "deduction", "params": {"per": 1}},
    {"code": "sg", "name": "安全事故", "method": "veto", "params": {"level": "fail"}},
]


@pytest.fixture
def round_(org) -> Round:  # type: ignore[no-untyped-def]
    plan = import_plan(lines=[{"name": "重大项目建设提速攻坚", "indicators": COUNTS}])
    return services.create_round(actor=None, plan=plan, period="2026-12")


def _csv(text: str) -> list[services.ValueRow]:
    return read_values("values.csv", text.encode("utf-8"))


def _refusals(round_: Round, text: str) -> list[tuple[int, str, str]]:
    before = snapshot(round_)
    with pytest.raises(ImportRejected) as caught:
        services.import_values(actor=None, round=round_, rows=_csv(text))
    assert snapshot(round_) == before
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def _stored(round_: Round) -> dict[tuple[str, str], Decimal]:
    rows = IndicatorValue.objects.filter(round=round_).select_related("unit", "indicator")
    return {(v.unit.name, v.indicator.code): v.value for v in rows}


# --- decimal places and the store ---------------------------------------------------------------


def test_a_value_with_more_decimal_places_than_the_store_keeps_is_refused_with_the_limit(
    org, round_
):
    assert _refusals(round_, "单位,tz\n湖南镇,85.12495\n") == [
        (2, "B", "“85.12495”的小数位过多：最多保留4位小数")
    ]
    before = snapshot(round_)
    with pytest.raises(ValidationFailed, match="最多保留4位小数"):
        enter(round_, org.hunan, "tz", "85.12495")
    assert snapshot(round_) == before


def test_a_value_the_store_keeps_reads_back_exactly_on_either_database(org, round_):
    services.import_values(
        actor=None, round=round_, rows=_csv("单位,tz\n湖南镇,85.1249\n松下镇,85.10000\n")
    )
    assert _stored(round_) == {
        ("湖南镇", "tz"): Decimal("85.1249"),
        ("松下镇", "tz"): Decimal("85.1"),
    }


def test_a_value_too_large_for_the_store_is_refused_with_the_limit(org, round_):
    assert _refusals(round_, "单位,tz\n湖南镇,123456789012345\n") == [
        (2, "B", "“123456789012345”过大：整数部分最多14位")
    ]


# --- negative values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"), [("by", "通报表扬"), ("pp", "通报批评"), ("sg", "安全事故")]
)
def test_a_negative_count_for_a_bonus_deduction_or_veto_is_refused(org, round_, code, name):
    assert _refusals(round_, f"单位,{code}\n湖南镇,-1\n") == [
        (2, "B", f"“{name}”按次计分，次数不能为负数（-1）")
    ]
    with pytest.raises(ValidationFailed, match="次数不能为负数"):
        enter(round_, org.hunan, code, "-1")
    assert not IndicatorValue.objects.filter(round=round_).exists()


def test_a_negative_direct_score_is_refused_not_zeroed(org, round_):
    assert _refusals(round_, "单位,tz\n湖南镇,-5\n") == [
        (2, "B", "“投资完成得分”为直接打分，得分不能为负数（-5）")
    ]


def test_a_negative_value_reaching_the_engine_is_noted_never_silently_zeroed():
    inds = [
        Indicator("tz", "得分", "L", Method.DIRECT),
        Indicator("pp", "通报批评", "L", Method.DEDUCTION, params={"per": 1}),
    ]
    values = {"tz": {1: Input(Decimal(-5))}, "pp": {1: Input(Decimal(-1))}}
    (o,) = compute(Rules(indicators=inds), [Member(1, "甲镇", "一")], values)
    assert [list(p[NOTES]) for p in o.parts] == [
        ["得分为负（-5），按0分计"],
        ["次数为负（-1），按0次计"],
    ]
    assert o.score == Decimal("0.00")


# --- completion targets -------------------------------------------------------------------------


@pytest.mark.parametrize("target", [0, -10])
def test_a_completion_target_of_zero_or_below_is_refused_at_plan_import(org, target):
    lines = [{"name": "L", "indicators": [
        {"code": "wc", "name": "完成率", "method": "completion", "params": {"target": target}}]}]  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml(yaml.safe_dump(plan_dict(lines=lines), allow_unicode=True))
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("params.target", f"完成率的目标值应大于0（{target}）")
    ]
    assert not Plan.objects.exists()


def test_a_completion_target_of_zero_in_the_xlsx_plan_names_its_cell(org):
    plan = import_plan(lines=[{"name": "重大项目建设提速攻坚", "indicators": COUNTS}])
    book = load_workbook(io.BytesIO(plan_file.write_xlsx(services.plan_document(plan))))
    book["指标"]["G3"] = '{"target": 0}'
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_xlsx(out.getvalue())
    assert [(e.sheet, e.row, e.column, e.field) for e in caught.value.errors] == [
        ("指标", 3, "G", "params.target")
    ]


def test_an_entered_completion_target_of_zero_is_refused(org, round_):
    with pytest.raises(ValidationFailed, match="目标值应大于0"):
        services.enter_value(
            actor=None,
            round=round_,
            indicator=indicator(round_.plan, "wc"),
            unit=org.hunan,
            value="50",
            target="0",
        )
    assert not IndicatorValue.objects.filter(round=round_).exists()


# --- precision ----------------------------------------------------------------------------------


def test_precision_zero_is_honoured_in_the_plan_and_the_scores(org):
    plan = import_plan(precision=0)
    assert plan.precision == 0
    assert plan_file.read_yaml(plan_file.write_yaml(services.plan_document(plan))).precision == 0
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    enter(round_, org.hunan, "tz", "85.5")
    enter(round_, org.songxia, "tz", "85.4")
    services.compute_round(actor=None, round=round_)
    scores = dict(round_.results.values_list("unit__name", "score"))
    assert scores == {"湖南镇": Decimal(86), "松下镇": Decimal(85)}


@pytest.mark.parametrize(("raw", "message"), [
    (5, "保留小数位应在 0 到 4 之间（得分最多存4位小数）"),
    ("1.5", "“1.5”应为整数"),
])  # fmt: skip
def test_a_precision_the_store_cannot_keep_or_not_whole_is_refused(org, raw, message):
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml(yaml.safe_dump(plan_dict(precision=raw), allow_unicode=True))
    assert [(e.field, e.message) for e in caught.value.errors] == [("precision", message)]


# --- full-width forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [
    ("９０", "90"), ("８５．５", "85.5"), ("－5", "-5"), ("−5", "-5"), ("＋３", "3"), (" 7 ", "7"),
])  # fmt: skip
def test_full_width_digits_point_and_minus_are_all_read(raw, value):
    assert read_decimal(raw) == Decimal(value)


def test_full_width_numbers_are_read_the_same_by_the_values_file_and_the_form(org, round_):
    services.import_values(
        actor=None, round=round_, rows=_csv("单位,tz,pp\n湖南镇,８５．５,２\n松下镇,９０,０\n")
    )
    assert _stored(round_) == {
        ("湖南镇", "tz"): Decimal("85.5"),
        ("湖南镇", "pp"): Decimal(2),
        ("松下镇", "tz"): Decimal(90),
        ("松下镇", "pp"): Decimal(0),
    }
    enter(round_, org.hunan, "tz", "８６．２５")
    assert _stored(round_)[("湖南镇", "tz")] == Decimal("86.25")
    with pytest.raises(ValidationFailed, match="次数不能为负数"):
        enter(round_, org.hunan, "pp", "－1")


def test_full_width_numbers_in_the_plan_file_are_read(org):
    lines = [{"name": "L", "indicators": [{"code": "tz", "name": "得分", "method": "direct",
                                           "weight": "０．５", "full_marks": "２０"}]}]  # fmt: skip
    doc = plan_file.read_yaml(yaml.safe_dump(plan_dict(lines=lines), allow_unicode=True))
    ind = doc.lines[0].indicators[0]
    assert (ind.weight, ind.full_marks) == (Decimal("0.5"), Decimal(20))


def test_a_weight_with_more_places_than_the_plan_store_keeps_is_refused(org):
    lines = [{"name": "L", "indicators": [
        {"code": "tz", "name": "得分", "method": "direct", "weight": "0.12345"}]}]  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml(yaml.safe_dump(plan_dict(lines=lines), allow_unicode=True))
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("weight", "“0.12345”的小数位过多：最多保留4位小数")
    ]


# --- headers and keys ---------------------------------------------------------------------------


def test_a_values_column_without_a_header_is_refused_not_ignored(org, round_):
    with pytest.raises(ImportRejected) as caught:
        _csv("单位,tz,\n湖南镇,90,85\n松下镇,80,\n")
    assert [(e.sheet, e.row, e.column) for e in caught.value.errors] == [("CSV", 2, "C")]
    assert "没有表头" in caught.value.errors[0].message


@pytest.mark.parametrize(("overrides", "field"), [
    ({"bogus_key": 1}, "bogus_key"),
    ({"deduction_caps": 5}, "deduction_caps"),
    ({"report": {"style": "groups", "tops": 3}}, "report.tops"),
    ({"grades": [{"name": "优秀", "min": 90, "max": 100}]}, "grades.max"),
])  # fmt: skip
def test_an_unknown_plan_file_key_is_refused_with_its_name(org, overrides, field):
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml(yaml.safe_dump(plan_dict(**overrides), allow_unicode=True))
    assert [e.field for e in caught.value.errors] == [field]
    assert field.rsplit(".", 1)[-1] in caught.value.errors[0].message


def test_an_unknown_indicator_or_param_key_is_refused_with_its_name(org):
    lines = [{"name": "L", "units": [], "indicators": [
        {"code": "tz", "name": "得分", "method": "direct", "wieght": 2},
        {"code": "pp", "name": "批评", "method": "deduction", "params": {"per": 1, "caps": 3}},
    ]}]  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml(yaml.safe_dump(plan_dict(lines=lines), allow_unicode=True))
    assert [(e.column, e.field) for e in caught.value.errors] == [
        ("lines[0].indicators[0]", "wieght"),
        ("lines[0].indicators[1]", "params.caps"),
    ]


def test_an_unknown_setting_or_column_in_the_xlsx_plan_is_refused_with_its_cell(org):
    plan = import_plan()
    book = load_workbook(io.BytesIO(plan_file.write_xlsx(services.plan_document(plan))))
    book["方案"].append(["扣分上線", 5])
    book["指标"]["I1"] = "备注"
    book["指标"]["J2"] = "x"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_xlsx(out.getvalue())
    where = [(e.sheet, e.row, e.column, e.field) for e in caught.value.errors]
    assert where == [
        ("方案", len(plan_file.PLAN_KEYS) + 1, "A", "扣分上線"),
        ("指标", 1, "I", "备注"),
        ("指标", 2, "J", "-"),
    ]


# --- scores printed with the plan's precision ---------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "printed"), [(0, "86"), (1, "85.5"), (2, "85.50"), (3, "85.500")]
)
def test_scores_are_printed_with_the_plans_precision_in_json_as_strings(
    client, org, precision, printed
):
    plan = import_plan(precision=precision)
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    enter(round_, org.hunan, "tz", "85.5")
    enter(round_, org.songxia, "tz", "80")
    out = io.StringIO()
    call_command("assess", round=round_.pk, json=True, stdout=out)
    rows = json.loads(out.getvalue())
    assert (rows[0]["unit"], rows[0]["score"]) == ("湖南镇", printed)
    assert rows[0]["lines"]["重大项目建设提速攻坚"]["score"] == printed
    client.force_login(org.office)
    api = client.get(f"/api/assessment/rounds/{round_.pk}/results").json()["items"]
    assert [r["score"] for r in api] == [
        printed,
        str(Decimal(80).quantize(Decimal(1).scaleb(-precision))),
    ]
