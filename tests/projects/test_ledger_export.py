"""The ledger workbook an office fills in: header, formats, drop-downs, the locked version column,
the 填写说明 sheet, campaigns that share a name, and who changed a row a stale file holds."""

import datetime as dt
import io
import tracemalloc

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl.utils import range_boundaries

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import ImportRejected, ValidationFailed
from gongjian.exchange import office_xlsx
from gongjian.exchange.office_xlsx import DATE_FORMAT, WAN_FORMAT
from gongjian.projects import ledger_file
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import Project
from tests.factories import PASSWORD
from tests.projects.test_ledger_file import edit, state


def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def drop_downs(wb, sheet):
    """{column letter: the values its drop-down offers}, read from the lists' ranges."""
    found = {}
    for dv in wb[sheet].data_validations.dataValidation:
        assert dv.type == "list"
        sheet_name, cells = dv.formula1.split("!")
        lists = wb[sheet_name.strip("'")]
        min_col, min_row, _max_col, max_row = range_boundaries(cells.replace("$", ""))
        values = [lists.cell(row, min_col).value for row in range(min_row, max_row + 1)]
        (ref,) = str(dv.sqref).split()
        assert ref.endswith("1048576")  # rows the office adds below get the list too
        found[ref.split(":")[0].rstrip("0123456789")] = values
    return found


def test_header_is_bold_and_filled_and_frozen_with_an_autofilter_over_the_rows(org, ledger):
    wb = book(export_ledger(Project.objects.all(), actor=org.office))
    ws = wb["项目台账"]
    for cell in ws[1]:
        assert cell.font.b is True
        assert cell.fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:Z3"  # through 更新时间, the last column
    assert wb["节点计划"].auto_filter.ref == "A1:H2"
    assert wb.sheetnames == ["项目台账", "节点计划", "填写说明", "选项"]


def test_money_has_two_decimals_and_dates_are_date_cells_in_the_chinese_format(org, ledger):
    ws = book(export_ledger(Project.objects.all()))["项目台账"]
    headers = [c.value for c in ws[1]]
    money = ws.cell(2, headers.index("总投资（万元）") + 1)
    assert money.number_format == WAN_FORMAT == "#,##0.00"
    assert money.value == 1000
    started = ws.cell(2, headers.index("实际开工") + 1)
    assert started.is_date and started.value == dt.datetime(2026, 1, 5)
    assert started.number_format == DATE_FORMAT == 'yyyy"年"m"月"d"日"'
    planned = book(export_ledger(Project.objects.all()))["节点计划"]["D2"]
    assert planned.is_date and planned.number_format == DATE_FORMAT


def test_drop_downs_offer_levels_states_campaigns_lines_and_units_from_the_database(org, ledger):
    wb = book(export_ledger(Project.objects.all(), actor=org.hunan_staff))
    assert drop_downs(wb, "项目台账") == {
        "C": ["省重点", "市重点", "区重点", "一般"],
        "D": [f"{org.line.campaign.name}（长乐区）"],
        "E": [org.line.name],
        "G": ["湖南镇", "湖南村"],  # the units this user may keep the ledger of
        "R": ["未开工", "在建", "已竣工", "已投产", "暂缓"],
    }
    assert drop_downs(wb, "节点计划") == {"G": ["湖南镇", "湖南村"]}
    assert wb["选项"].sheet_state == "hidden"


def test_levels_and_states_refuse_other_values_but_names_only_warn(org, ledger):
    wb = book(export_ledger(Project.objects.all(), actor=org.office))
    kinds = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.errorStyle or "stop"  # the default
        for dv in wb["项目台账"].data_validations.dataValidation
    }
    assert kinds == {"C": "stop", "R": "stop", "D": "warning", "E": "warning", "G": "warning"}


def test_version_column_is_hidden_and_locked_and_every_other_cell_editable(org, ledger):
    ws = book(export_ledger(Project.objects.all()))["项目台账"]
    assert ws["V1"].value == "版本"
    assert ws.column_dimensions["V"].hidden is True
    assert ws["V2"].protection.locked is True
    assert ws.protection.sheet is True
    assert not ws.protection.password
    # Filtering, sorting and widths stay allowed (openpyxl: False means "not protected").
    assert (ws.protection.autoFilter, ws.protection.sort, ws.protection.formatColumns) == (
        False,
        False,
        False,
    )
    assert all(not c.protection.locked for c in ws[2][:21] if c.value is not None)
    assert all(not ws.column_dimensions[c].protection.locked for c in "ABCK")


def test_guide_sheet_names_every_column_of_both_sheets(org, ledger):
    guide = book(export_ledger(Project.objects.all()))["填写说明"]
    text = [c for row in guide.iter_rows(values_only=True) for c in row if c]
    for column in [*ledger_file.PROJECT_COLUMNS, *ledger_file.MILESTONE_COLUMNS]:
        assert column.header in text
    assert any("“名称（主办单位）”" in t for t in text)
    assert any("全部成功或全部不导入" in t for t in text)


def test_campaigns_sharing_a_name_are_written_with_their_owner_and_read_back(org, ledger):
    district = org.line.campaign
    city = Campaign.objects.create(
        name=district.name,
        owner=org.city,
        start_date=district.start_date,
        end_date=district.end_date,
    )
    Line.objects.create(campaign=city, name=org.line.name, lead_unit=org.fagai)
    data = export_ledger(Project.objects.all(), actor=org.office)
    ws = book(data)["项目台账"]
    assert ws["D2"].value == f"{district.name}（长乐区）"
    before = state()
    summary = import_ledger_xlsx(actor=org.office, data=data)
    assert (summary.updated, summary.unchanged) == (0, 2)
    assert state() == before


def test_an_ambiguous_plain_name_suggests_references_that_are_then_found(org, ledger):
    district = org.line.campaign
    Campaign.objects.create(
        name=district.name,
        owner=org.city,
        start_date=district.start_date,
        end_date=district.end_date,
    )
    plain = edit(export_ledger(Project.objects.all()), {("项目台账", "D2"): district.name})
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=plain)
    (error,) = exc.value.errors
    assert error.message == (
        f"攻坚行动“{district.name}”不唯一，请写作“名称（主办单位）”："
        f"{district.name}（长乐区）；{district.name}（福州市）"
    )
    suggested = edit(plain, {("项目台账", "D2"): f"{district.name}(长乐区)"})  # half-width too
    assert import_ledger_xlsx(actor=org.office, data=suggested).unchanged == 2


def _rename(data, name):
    return edit(data, {("项目台账", "B2"): name})


def test_a_stale_row_names_who_changed_it_and_when(org, ledger):
    stale = export_ledger(Project.objects.all())
    import_ledger_xlsx(actor=org.office, data=_rename(stale, "安置房一期"))
    last = Project.history.filter(id=ledger.hunan_project.pk).latest("history_date")
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.hunan_staff, data=_rename(stale, "安置房二期"))
    assert state() == before
    (error,) = exc.value.errors
    assert (error.row, error.column, error.field) == (2, "V", "版本")
    assert error.message == (
        f"该项目已由 {org.office} 于 {when} 修改（文件为第 1 版，现为第 2 版），请重新导出后再改。"
    )


def test_a_stale_row_the_user_changed_themselves_says_you(org, ledger):
    stale = export_ledger(Project.objects.all())
    import_ledger_xlsx(actor=org.office, data=_rename(stale, "安置房一期"))
    with pytest.raises(ImportRejected) as exc:
        import_ledger_xlsx(actor=org.office, data=_rename(stale, "安置房二期"))
    (error,) = exc.value.errors
    assert error.message.startswith("您已于 ")
    assert "修改过该项目（文件为第 1 版，现为第 2 版）" in error.message


def _peak_export_bytes(n: int) -> int:
    Project.objects.filter(code__startswith="M-").delete()
    t = Project.objects.get(code="HN-01")
    Project.objects.bulk_create(
        Project(
            code=f"M-{i:05d}", name=f"项目{i}", level=t.level, unit=t.unit, campaign=t.campaign,
            line=t.line, planned_start=t.planned_start, planned_completion=t.planned_completion,
            description="建设内容" * 20,
        )
        for i in range(n)
    )  # fmt: skip
    tracemalloc.start()
    try:
        with ledger_file.ledger_workbook(Project.objects.all()) as file:
            file.seek(0, io.SEEK_END)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_memory_does_not_grow_with_the_number_of_projects(org, ledger, monkeypatch):
    """Projects are read a chunk at a time and rows go straight to a temporary file: ten times
    the projects (20 chunks instead of 2) take about the same memory; a workbook built in
    memory, or all projects loaded at once, takes several times more."""
    monkeypatch.setattr(ledger_file, "CHUNK", 150)
    small = _peak_export_bytes(300)
    large = _peak_export_bytes(3000)
    assert large < small * 1.5, (small, large)


def test_an_export_past_excels_last_row_is_refused_in_chinese_on_the_page_api_and_cli(
    client, org, ledger, monkeypatch, tmp_path
):
    # XlsxWriter drops the rows past a sheet's 1,048,576 without a word; the office would file
    # a ledger with projects missing. Two projects against a sheet of one data row stand for it.
    monkeypatch.setattr(office_xlsx, "EXCEL_LAST_ROW", 1)
    with pytest.raises(ValidationFailed, match="超过 Excel 一张工作表的上限"):
        export_ledger(Project.objects.all(), actor=org.office)
    assert client.login(username=org.office.username, password=PASSWORD)
    page = client.get("/ledger/export.xlsx")
    assert page.status_code == 422
    assert "“项目台账”超过 Excel 一张工作表的上限（2 行，含表头），未导出" in page.content.decode()
    api = client.get("/api/ledger/export.xlsx")
    assert api.status_code == 422
    assert api.json()["message"].startswith("“项目台账”超过 Excel 一张工作表的上限")
    with pytest.raises(CommandError, match="分批导出"):
        call_command("ledger", "export", str(tmp_path / "l.xlsx"), "--user", org.office.username)


def test_an_export_up_to_the_last_row_is_written_whole(org, ledger, monkeypatch):
    monkeypatch.setattr(office_xlsx, "EXCEL_LAST_ROW", Project.objects.count())
    wb = book(export_ledger(Project.objects.all(), actor=org.office))
    assert wb["项目台账"].max_row == Project.objects.count() + 1
