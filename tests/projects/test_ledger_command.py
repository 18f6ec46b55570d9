"""`gongjian ledger export/import`: the same round trip from the command line."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gongjian.projects.models import Project


def test_export_then_import_of_an_edited_copy(tmp_path, org, ledger):
    path = tmp_path / "ledger.xlsx"
    out = io.StringIO()
    call_command("ledger", "export", str(path), "--user", org.hunan_staff.username, stdout=out)
    assert "已导出 1 个项目" in out.getvalue()
    wb = openpyxl.load_workbook(path)
    wb["项目台账"]["J2"] = "湖南村"
    wb.save(path)
    out = io.StringIO()
    call_command("ledger", "import", str(path), "--user", org.hunan_staff.username, stdout=out)
    assert "导入成功：新建 0，修改 1，未变 0" in out.getvalue()
    assert Project.objects.get(code="HN-01").location == "湖南村"


def test_rejected_import_writes_the_marked_file_and_changes_nothing(tmp_path, org, ledger):
    path, marked = tmp_path / "ledger.xlsx", tmp_path / "marked.xlsx"
    call_command("ledger", "export", str(path), "--user", org.office.username, stdout=io.StringIO())
    wb = openpyxl.load_workbook(path)
    wb["项目台账"]["N2"] = "2026/2/30"
    wb.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="导入被拒绝：共 1 处错误"):
        call_command(
            "ledger", "import", str(path), "--user", org.office.username,
            "--errors", str(marked), stderr=err,
        )  # fmt: skip
    assert "工作表“项目台账”第2行N列（计划开工）：不存在的日期“2026/2/30”" in err.getvalue()
    assert openpyxl.load_workbook(marked).sheetnames[0] == "错误清单"
    assert Project.objects.get(code="HN-01").planned_start.isoformat() == "2026-01-01"


def test_export_and_import_show_a_progress_bar_per_stage_on_stderr(tmp_path, org, ledger, capsys):
    path = tmp_path / "ledger.xlsx"
    call_command("ledger", "export", str(path), "--user", org.office.username)
    shown = capsys.readouterr()
    assert "写入项目" in shown.err and "2/2" in shown.err
    assert "写入节点" in shown.err and "1/1" in shown.err
    assert shown.out.strip() == f"已导出 2 个项目到 {path}"  # stdout keeps only the result
    call_command("ledger", "import", str(path), "--user", org.office.username)
    shown = capsys.readouterr()
    for stage in ("读取文件", "核对项目", "核对节点", "写入数据库"):
        assert stage in shown.err
    assert "未变 2" in shown.out
