"""A unit's pre-filled reporting template, filled in and uploaded: all or nothing, cells named."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from gongjian.core.errors import ImportRejected
from gongjian.org.scope import Action
from gongjian.projects.models import CoordinationRequest, ProgressReport, Project
from gongjian.projects.report_file import import_reports_xlsx, report_template
from gongjian.projects.selectors import projects_for
from tests.factories import PASSWORD


def template(user):
    return report_template(projects_for(user, Action.REPORT_PROGRESS))


def fill(data, changes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for cell, value in changes.items():
        wb["进度填报"][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def state():
    return (
        list(ProgressReport.objects.values()),
        list(CoordinationRequest.objects.values()),
        list(Project.objects.order_by("pk").values()),
    )


def test_template_is_prefilled_with_the_units_projects(org, ledger):
    rows = list(
        openpyxl.load_workbook(io.BytesIO(template(org.hunan_staff)))["进度填报"].iter_rows(
            values_only=True
        )
    )
    assert rows[0][:5] == ("项目编号", "项目名称", "上期形象进度（%）", "填报期末", "形象进度（%）")
    assert [r[0] for r in rows[1:]] == ["HN-01"]
    assert rows[1][3] == dt.datetime(2026, 7, 2)


def test_filled_template_submits_reports_with_milestones_and_coordination(org, ledger):
    data = fill(
        template(org.hunan_staff),
        {"D2": "2026/6/30", "E2": 48, "F2": 120, "G2": "主体完工", "H2": "缺电", "I2": "要素保障",
         "J2": "施工用电增容", "K2": "区发改局"},
    )  # fmt: skip
    assert import_reports_xlsx(actor=org.hunan_staff, data=data) == 1
    report = ProgressReport.objects.get()
    assert (report.period_end, report.percent_done, report.investment_to_date_wan) == (
        dt.date(2026, 6, 30), Decimal(48), Decimal(120)
    )  # fmt: skip
    assert [m.name for m in report.milestones_reached.all()] == ["主体完工"]
    assert CoordinationRequest.objects.get().handling_unit == org.fagai


def test_rows_left_empty_are_not_reported(org, ledger):
    assert import_reports_xlsx(actor=org.hunan_staff, data=template(org.hunan_staff)) == 0
    assert ProgressReport.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "cell", "message"),
    [
        ({"E2": 120}, "E2", "形象进度须在 0 到 100 之间。"),
        ({"E2": 40, "D2": "2026-07-09"}, "D2", "填报期末不能晚于今天。"),
        ({"E2": 40, "D2": "下月"}, "D2", "无法识别的日期“下月”"),
        ({"E2": 40, "G2": "封顶"}, "G2", "本项目没有节点：封顶"),
        ({"E2": 40, "J2": "交地", "I2": "杂项"}, "I2", "请选择协调事项类别"),
        (
            {"E2": 40, "J2": "交地", "I2": "征迁交地", "K2": "不存在局"},
            "K2",
            "找不到单位“不存在局”",
        ),
        ({"E2": 40, "A2": "SX-01"}, "A2", "找不到项目编号“SX-01”，或您无权填报。"),
    ],
)
def test_a_bad_cell_rejects_the_file_and_nothing_is_saved(org, ledger, changes, cell, message):
    data = fill(template(org.hunan_staff), {"A3": "HN-01", "D3": "2026-05-31", "E3": 30, **changes})
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_reports_xlsx(actor=org.hunan_staff, data=data)
    assert state() == before
    (error,) = [e for e in exc.value.errors if f"{e.column}{e.row}" == cell]
    assert error.sheet == "进度填报"
    assert message in error.message


def test_report_import_through_the_page(client, org, ledger):
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    blank = b"".join(client.get("/ledger/report-template.xlsx").streaming_content)
    data = fill(blank, {"D2": "2026-06-30", "E2": 45})
    response = client.post(
        "/ledger/import/", {"kind": "reports", "file": io.BytesIO(data)}, follow=True
    )
    assert "导入成功：提交 1 条进度填报。" in response.content.decode()
    assert ProgressReport.objects.get().percent_done == Decimal(45)
