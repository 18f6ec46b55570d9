"""The ledger's Excel round trip: exact, all or nothing, every bad cell named in Chinese."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from gongjian.core.errors import ImportRejected
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx, mark_errors
from gongjian.projects.models import Milestone, Project, TeamMember
from tests.factories import PASSWORD, PersonFactory

D = dt.date


def state():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        sorted(TeamMember.objects.values_list("project_id", "person_id", "duty")),
        Project.history.count(),
    )


def exported():
    return export_ledger(Project.objects.all())


def edit(data, changes):
    """A copy of the workbook with {(sheet, cell): value} written in."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for (sheet, cell), value in changes.items():
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def values(data):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}


def test_export_has_projects_and_milestones_with_chinese_headers(org, ledger):
    sheets = values(exported())
    projects = sheets["项目台账"]
    assert projects[0][:3] == ("项目编号", "项目名称", "项目级别")
    assert projects[1][:3] == ("HN-01", "湖南镇安置房", "市重点")
    assert projects[1][8] == "陈干部（协调）"
    assert sheets["节点计划"][1][:4] == ("HN-01", 1, "主体完工", dt.datetime(2026, 6, 11))


def test_reimporting_an_export_changes_nothing(org, ledger):
    before = state()
    summary = import_ledger_xlsx(actor=org.office, data=exported())
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert state() == before


def test_an_edited_copy_round_trips_exactly(org, ledger):
    original = exported()
    edited = edit(
        original,
        {
            ("项目台账", "B2"): "湖南镇安置房（一期）",
            ("项目台账", "K2"): 2500.5,
            ("项目台账", "O2"): "2027/3/31",
            ("项目台账", "I2"): "陈干部（征迁）、王书记",
            ("节点计划", "E2"): "2026年6月20日",
        },
    )
    summary = import_ledger_xlsx(actor=org.hunan_staff, data=edited)
    assert (summary.updated, summary.milestones_updated) == (1, 1)
    p = Project.objects.get(code="HN-01")
    assert (p.name, p.total_investment_wan, p.planned_completion) == (
        "湖南镇安置房（一期）",
        Decimal("2500.50"),
        D(2027, 3, 31),
    )
    assert Milestone.objects.get(project=p).actual_date == D(2026, 6, 20)
    again = values(exported())
    mine = values(edited)
    version_col = mine["项目台账"][0].index("版本")
    for a, b in zip(again["项目台账"], mine["项目台账"], strict=True):
        assert a[:version_col] == b[:version_col] or a[0] == "HN-01"
    row = again["项目台账"][1]
    assert row[1] == "湖南镇安置房（一期）"
    assert row[8] == "陈干部（征迁）、王书记"
    assert row[version_col] == 2
    assert p.history.first().history_user == org.hunan_staff


def test_new_rows_create_projects_with_milestones(org, ledger):
    edited = edit(
        exported(),
        {
            ("项目台账", "A4"): "HN-02",
            ("项目台账", "B4"): "卫生院",
            ("项目台账", "C4"): "区重点",
            ("项目台账", "G4"): "湖南鎮",  # traditional: the tolerant lookup reads it
            ("项目台账", "N4"): 46113,  # an Excel serial date: 2026-04-01
            ("节点计划", "A3"): "HN-02",
            ("节点计划", "B3"): 1,
            ("节点计划", "C3"): "开工",
            ("节点计划", "D3"): "2026-04-01",
        },
    )
    summary = import_ledger_xlsx(actor=org.hunan_staff, data=edited)
    assert (summary.created, summary.milestones_created) == (1, 1)
    p = Project.objects.get(code="HN-02")
    assert (p.unit, p.level, p.planned_start, p.status) == (
        org.hunan,
        "district",
        D(2026, 4, 1),
        "planned",
    )
    assert p.milestones.get().name == "开工"
    created = p.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        org.hunan_staff,
        "Excel 导入：新建项目",
    )
    assert (created.name, created.unit_id, created.planned_start) == (
        "卫生院",
        org.hunan.pk,
        D(2026, 4, 1),
    )
    node = p.milestones.get().history.get()
    assert (node.history_type, node.history_user, node.history_change_reason) == (
        "+",
        org.hunan_staff,
        "Excel 导入：新增节点",
    )


def test_one_bad_row_changes_nothing_and_names_the_cell(org, ledger):
    edited = edit(
        exported(),
        {("项目台账", "B2"): "改了名", ("项目台账", "N3"): "2026年13月1日"},
    )
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=edited)
    assert state() == before
    assert [str(e) for e in exc.value.errors] == [
        "工作表“项目台账”第3行N列（计划开工）：不存在的日期“2026年13月1日”"
    ]
    assert exc.value.message == "导入被拒绝：共 1 处错误，未做任何更改。"


@pytest.mark.parametrize(
    ("cell", "value", "column", "message"),
    [
        ("C2", "特级", "C", "“特级”不是可选值（省重点、市重点、区重点、一般）"),
        ("G2", "不存在镇", "G", "找不到单位“不存在镇”。"),
        ("G2", "区财政局", "G", "单位名称“区财政局”不唯一"),
        ("H2", "张三", "H", "找不到干部“张三”。"),
        ("K2", "两千", "K", "“两千”不是数字"),
        ("K2", 1.234, "K", "最多保留两位小数：1.234"),
        ("S2", 120, "S", "形象进度须在 0 到 100 之间。"),
        ("O2", "2025-01-01", "O", "计划竣工日期不能早于计划开工日期。"),
        ("P2", "12/1/2026", "P", "无法识别的日期“12/1/2026”"),
        ("D2", "不存在的行动", "D", "找不到攻坚行动“不存在的行动”。"),
        ("B2", None, "B", "不能为空。"),
        ("A3", "HN-01", "A", "项目编号在文件中重复。"),
        ("V2", 7, "V", "修改（文件为第 7 版，现为第 1 版），请重新导出后再改。"),
    ],
)
def test_each_kind_of_bad_cell_is_named_and_nothing_changes(
    org, ledger, cell, value, column, message
):
    edited = edit(exported(), {("项目台账", "J2"): "湖南村", ("项目台账", cell): value})
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.city_office, data=edited)
    assert state() == before
    (error,) = exc.value.errors
    assert (error.sheet, error.row, error.column) == ("项目台账", int(cell[1:]), column)
    assert message in error.message


def test_duplicate_people_are_told_apart_by_the_projects_unit(org, ledger):
    PersonFactory(name="王书记", unit=org.songxia)
    before = state()
    assert import_ledger_xlsx(actor=org.office, data=exported()).unchanged == 2
    assert state() == before


def test_unchanged_rows_outside_the_users_scope_are_left_alone(org, ledger):
    before = state()
    summary = import_ledger_xlsx(actor=org.hunan_staff, data=exported())
    assert summary.unchanged == 2
    assert state() == before


def test_changed_rows_outside_the_users_scope_are_refused(org, ledger):
    edited = edit(exported(), {("项目台账", "J3"): "松下"})
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.hunan_staff, data=edited)
    assert state() == before
    assert [(e.row, e.column, e.message) for e in exc.value.errors] == [
        (3, "G", "无权维护“松下镇”的项目台账。")
    ]


def test_milestone_errors_are_named_on_their_sheet(org, ledger):
    edited = edit(
        exported(),
        {("节点计划", "D2"): None, ("节点计划", "A3"): "NOPE", ("节点计划", "B3"): 1,
         ("节点计划", "C3"): "开工", ("节点计划", "D3"): "2026-01-01"},
    )  # fmt: skip
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=edited)
    assert state() == before
    assert [str(e) for e in exc.value.errors] == [
        "工作表“节点计划”第2行D列（计划完成日期）：不能为空。",
        "工作表“节点计划”第3行A列（项目编号）：找不到项目编号“NOPE”。",
    ]


def test_columns_may_be_reordered_and_a_missing_required_one_is_named(org, ledger):
    wb = openpyxl.load_workbook(io.BytesIO(exported()))
    ws = wb["项目台账"]
    ws.delete_cols(7)  # 责任单位
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=out.getvalue())
    assert [(e.sheet, e.row, e.field, e.message) for e in exc.value.errors] == [
        ("项目台账", 1, "责任单位", "缺少此列。")
    ]


def test_a_file_that_is_not_excel_is_rejected(org, ledger):
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=b"not a workbook")
    assert exc.value.errors[0].message == "无法读取文件：请上传 Excel（.xlsx）文件。"


def test_marked_file_fills_bad_cells_and_lists_them(org, ledger):
    edited = edit(exported(), {("项目台账", "N3"): "明年"})
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=edited)
    wb = openpyxl.load_workbook(io.BytesIO(mark_errors(edited, exc.value.errors)))
    assert wb.sheetnames[0] == "错误清单"
    assert list(wb["错误清单"].iter_rows(values_only=True))[1] == (
        "项目台账", 3, "N", "计划开工", "无法识别的日期“明年”，请写成 2026-12-01、2026/12/1 或 2026年12月1日"
    )  # fmt: skip
    cell = wb["项目台账"]["N3"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "无法识别的日期" in cell.comment.text


def test_import_page_shows_errors_and_offers_the_marked_file(client, org, ledger):
    assert client.login(username=org.office.username, password=PASSWORD)
    edited = edit(exported(), {("项目台账", "C2"): "特级"})
    before = state()
    response = client.post("/ledger/import/", {"file": io.BytesIO(edited)}, format="multipart")
    html = response.content.decode()
    assert "导入被拒绝：共 1 处错误，未做任何更改。" in html
    assert "“特级”不是可选值" in html
    assert state() == before
    link = html.split('id="marked-file"')[0].rsplit('href="', 1)[1].split('"')[0]
    marked = client.get(link)
    assert marked.status_code == 200
    assert "错误清单" in openpyxl.load_workbook(io.BytesIO(marked.content)).sheetnames
    client.logout()
    assert client.login(username=org.viewer.username, password=PASSWORD)
    assert client.get(link).status_code == 404  # another user's report is not served


def streamed(response):
    """The body of a streamed download (FileResponse), as the browser receives it."""
    assert response.streaming
    return b"".join(response.streaming_content)


def test_export_download_and_api_import(client, org, ledger):
    assert client.login(username=org.hunan_staff.username, password=PASSWORD)
    page_export = client.get("/ledger/export.xlsx")
    assert page_export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [r[0] for r in values(streamed(page_export))["项目台账"]] == ["项目编号", "HN-01"]
    api_export = streamed(client.get("/api/ledger/export.xlsx"))
    upload = io.BytesIO(edit(api_export, {("项目台账", "J2"): "湖南村"}))
    upload.name = "ledger.xlsx"
    ok = client.post("/api/ledger/import", {"file": upload})
    assert ok.status_code == 200
    assert ok.json()["updated"] == 1
    bad = io.BytesIO(edit(api_export, {("项目台账", "C2"): "特级"}))
    bad.name = "ledger.xlsx"
    refused = client.post("/api/ledger/import", {"file": bad})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["column"] == "C"
    assert Project.objects.get(code="HN-01").level == "city"


def test_errors_name_the_column_of_their_own_sheet(org, ledger):
    edited = edit(exported(), {("项目台账", "B2"): None, ("节点计划", "C2"): "  "})
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=edited)
    assert state() == before
    assert [str(e) for e in exc.value.errors] == [
        "工作表“项目台账”第2行B列（项目名称）：不能为空。",
        "工作表“节点计划”第2行C列（节点名称）：不能为空。",
    ]
