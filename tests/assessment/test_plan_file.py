"""Plan files: YAML and .xlsx round-trip through import/export; bad files name their cells."""

from __future__ import annotations

import io

import pytest
import yaml
from openpyxl import load_workbook

from gongjian.assessment import plan_file, services
from gongjian.assessment.models import Plan
from gongjian.core.errors import ImportRejected, PermissionDenied
from tests.assessment.factories import import_plan, plan_dict


def _shape(plan: Plan) -> dict:  # type: ignore[type-arg]
    doc = services.plan_document(plan)
    return yaml.safe_load(plan_file.write_yaml(doc))


def test_yaml_export_then_import_gives_the_next_edition_with_the_same_rules(org) -> None:
    plan = import_plan(bonus_cap=3, grades=[{"name": "好", "min": 80}, {"name": "差", "min": None}])
    text = plan_file.write_yaml(services.plan_document(plan))
    again = services.import_plan(actor=org.office, doc=plan_file.read_yaml(text))
    assert (again.name, again.edition) == (plan.name, 2)
    assert _shape(again) == _shape(plan)
    assert _shape(plan)["groups"] == {"乡镇": ["湖南镇", "松下镇"]}
    assert _shape(plan)["bonus_cap"] == 3


def test_xlsx_export_then_import_keeps_the_rules(org) -> None:
    plan = import_plan()
    content = plan_file.write_xlsx(services.plan_document(plan))
    sheets = load_workbook(io.BytesIO(content)).sheetnames
    assert sheets == ["方案", "分组", "指标", "专项单位"]
    again = services.import_plan(actor=None, doc=plan_file.read_xlsx(content))
    assert _shape(again) == _shape(plan)


def test_bad_xlsx_names_sheet_row_and_column_and_creates_nothing(org) -> None:
    plan = import_plan()
    book = load_workbook(io.BytesIO(plan_file.write_xlsx(services.plan_document(plan))))
    book["指标"]["D2"] = "抽签"  # unknown method
    book["指标"]["E3"] = "很重"  # weight not a number
    book["分组"]["B2"] = "火星镇"  # unknown unit
    out = io.BytesIO()
    book.save(out)
    doc_errors = None
    try:
        services.import_plan(actor=None, doc=plan_file.read_xlsx(out.getvalue()))
    except ImportRejected as exc:
        doc_errors = [(e.sheet, e.row, e.column, e.field) for e in exc.errors]
    assert doc_errors == [("指标", 2, "D", "method"), ("指标", 3, "E", "weight")]
    assert Plan.objects.count() == 1


def test_unknown_unit_and_unit_in_two_groups_are_refused(org) -> None:
    doc = plan_file.read_yaml(yaml.safe_dump(
        plan_dict(groups={"一": ["湖南镇", "火星镇"], "二": ["湖南镇"]}), allow_unicode=True
    ))  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        services.import_plan(actor=None, doc=doc)
    messages = [e.message for e in caught.value.errors]
    assert messages[0].startswith("找不到单位“火星镇”")
    assert "只能属于一个分组" in messages[1]
    assert Plan.objects.count() == 0


def test_unknown_system_source_is_refused(org) -> None:
    lines = [{"name": "L", "indicators": [
        {"code": "a", "name": "甲", "method": "direct", "source": "nowhere.count"}]}]  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        import_plan(lines=lines)
    assert [e.field for e in caught.value.errors] == ["source"]
    assert Plan.objects.count() == 0


def test_only_the_campaign_office_imports_a_plan(org) -> None:
    doc = plan_file.read_yaml(yaml.safe_dump(plan_dict(), allow_unicode=True))
    with pytest.raises(PermissionDenied):
        services.import_plan(actor=org.lead, doc=doc)
    assert Plan.objects.count() == 0


def test_yaml_syntax_error_is_reported_with_its_line(org) -> None:
    with pytest.raises(ImportRejected) as caught:
        plan_file.read_yaml("name: [unclosed\nowner: x\n")
    assert caught.value.errors[0].field == "yaml"
    assert caught.value.errors[0].row >= 1


def test_a_plan_naming_both_districts_finance_bureaus_comes_back_naming_the_same_two(org) -> None:
    # Written plain, the other district's 区财政局 read back as the owner's own (the nearest).
    groups = {"部门": ["区财政局（长乐区）", "区财政局（鼓楼区）"]}
    plan = import_plan(groups=groups)
    members = {org.caizheng.pk, org.gulou_caizheng.pk}
    assert set(plan.members.values_list("unit_id", flat=True)) == members
    doc = services.plan_document(plan)
    assert [u for u, _loc in doc.groups[0][1]] == ["区财政局（长乐区）", "区财政局（鼓楼区）"]
    assert doc.owner == "长乐区"  # a name no other unit has is written plain

    for text in (plan_file.write_yaml(doc), plan_file.write_xlsx(doc)):
        read = plan_file.read_yaml if isinstance(text, str) else plan_file.read_xlsx
        again = services.import_plan(actor=None, doc=read(text))  # type: ignore[operator]
        assert set(again.members.values_list("unit_id", flat=True)) == members
