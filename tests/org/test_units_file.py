"""`gongjian units import FILE`: units from .xlsx/.csv, tolerant names, all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from gongjian.core.errors import ImportRejected, PermissionDenied
from gongjian.org.models import Unit, UnitAlias
from gongjian.org.units_file import import_units, read_units


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_units_import_creates_units_with_parents_from_the_tree_and_the_file(org, tmp_path):
    path = _csv(
        tmp_path,
        "名称,类型,上级单位,别名\n"
        "区统计局,部门,長樂區,统计局；区统计\n"  # traditional characters for 长乐区
        "潭头镇,town,长乐区,\n"
        "潭头村,其他,潭头镇,\n",
    )
    out = io.StringIO()
    call_command("units", "import", str(path), stdout=out)
    tongji = Unit.objects.get(name="区统计局")
    assert (tongji.kind, tongji.parent) == ("department", org.changle)
    assert sorted(UnitAlias.objects.filter(unit=tongji).values_list("alias", flat=True)) == [
        "区统计",
        "统计局",
    ]
    village = Unit.objects.get(name="潭头村")
    assert village.parent == Unit.objects.get(name="潭头镇")
    assert out.getvalue().splitlines()[0] == "已导入 3 个单位"
    assert "福州市 / 长乐区 / 潭头镇 / 潭头村" in out.getvalue()


def test_units_import_from_xlsx_reads_the_first_sheet(org, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "单位"
    sheet.append(["单位名称", "单位类型", "上级"])
    sheet.append(["区统计局", "department", "长乐区"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    rows = read_units(path.name, path)
    assert [(r.sheet, r.row, r.name, r.kind, r.parent) for r in rows] == [
        ("单位", 2, "区统计局", "department", "长乐区")
    ]
    assert [u.name for u in import_units(actor=org.office, rows=rows)] == ["区统计局"]


def test_units_import_with_any_bad_cell_creates_nothing_and_names_each_cell(org, tmp_path):
    path = _csv(
        tmp_path,
        "名称,类型,上级单位\n"
        "区统计局,部门,长乐区\n"  # good, but not kept
        "某某局,衙门,长乐区\n"  # unknown kind
        "某乡,乡,不存在区\n"  # unknown parent
        "湖南鎮,镇,长乐区\n"  # already there
        "福州新区,功能区,\n",  # a new root: fine
    )
    before = Unit.objects.count()
    with pytest.raises(ImportRejected) as caught:
        import_units(actor=None, rows=read_units(path.name, path))
    where = [(e.sheet, e.row, e.column, e.field) for e in caught.value.errors]
    assert where == [
        ("CSV", 3, "B", "类型"),
        ("CSV", 4, "C", "上级单位"),
        ("CSV", 5, "A", "名称"),
    ]
    assert "衙门" in caught.value.errors[0].message
    assert "不存在区" in caught.value.errors[1].message
    assert "已有同名单位" in caught.value.errors[2].message
    assert Unit.objects.count() == before
    assert not Unit.objects.filter(name="区统计局").exists()


def test_units_file_column_without_a_header_or_unknown_is_refused(org, tmp_path):
    path = _csv(tmp_path, "名称,类型,上级单位,电话\n区统计局,部门,长乐区,123\n")
    with pytest.raises(ImportRejected) as caught:
        read_units(path.name, path)
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "D")]
    path = _csv(tmp_path, "名称,类型,上级单位\n区统计局,部门,长乐区,123\n")
    with pytest.raises(ImportRejected) as caught:
        read_units(path.name, path)
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (2, "D", "该列没有表头，不能识别")
    ]


def test_units_import_by_an_office_outside_its_tree_is_refused(org, tmp_path):
    path = _csv(tmp_path, "名称,类型,上级单位\n区统计局,部门,鼓楼区\n")
    with pytest.raises(PermissionDenied):
        import_units(actor=org.office, rows=read_units(path.name, path))
    assert not Unit.objects.filter(name="区统计局").exists()


def test_units_import_command_prints_every_cell_error(org, tmp_path):
    path = _csv(tmp_path, "名称,类型\n区统计局,衙门\n")
    with pytest.raises(CommandError, match=r"第2行B列（类型）：未知的单位类型“衙门”"):
        call_command("units", "import", str(path))
