"""Arbitrary bad rows in a ledger file (issue 11): whatever the cells hold, the import either
stores the file or refuses it whole, naming sheet, row, column and field of each bad cell in
Chinese; it never raises anything else and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
import string
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongjian.core.errors import ImportRejected
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import Milestone, Project, TeamMember

CJK = re.compile("[\u4e00-\u9fff]")
COLUMNS = string.ascii_uppercase[:22]  # 项目台账 A–V, the exported columns

cell_values = st.one_of(
    st.none(),
    # what a spreadsheet cell can hold (openpyxl refuses the rest before a file exists)
    st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.sampled_from(
        ["=1+1", "@SUM(A1)", "-", "２０２６年１２月", "2026-02-30", "湖南镇", "市重点"]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([-(10**20), -1e30, 2**63]),  # past any date a date column can hold
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)),
    st.booleans(),
)
edits = st.dictionaries(
    st.tuples(st.integers(min_value=2, max_value=4), st.sampled_from(COLUMNS)),
    cell_values,
    min_size=1,
    max_size=6,
)


def _state() -> tuple[Any, ...]:
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        sorted(TeamMember.objects.values_list("project_id", "person_id", "duty")),
        Project.history.count(),
    )


def _write(data: bytes, changes: dict[tuple[int, str], Any]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb["项目台账"]
    for (row, column), value in changes.items():
        cell = sheet[f"{column}{row}"]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text as typed, even "=1+1": the file's cell, not a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@settings(
    max_examples=60,
    derandomize=True,  # the same 60 files in every run, so CI fails only for a real change
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=edits)
def test_any_bad_cells_are_named_or_the_file_is_stored_never_anything_else(
    org: Any, ledger: Any, changes: dict[tuple[int, str], Any]
) -> None:
    data = _write(export_ledger(Project.objects.all()), changes)
    before = _state()
    try:
        import_ledger_xlsx(actor=org.office, data=data)
    except ImportRejected as rejected:
        assert _state() == before
        assert rejected.errors
        for error in rejected.errors:
            assert error.sheet in {"项目台账", "节点计划"}
            assert error.row >= 0  # 0: the sheet as a whole (a value no cell type holds)
            assert error.column
            assert error.field
            assert CJK.search(error.message), error.message
            assert CJK.search(str(error))
