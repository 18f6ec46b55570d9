"""Indicator values files as offices send them (12.11): GBK/GB18030 and UTF-8 CSV, and files
that are not what their name says, refused in Chinese through the API and the command."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gongjian.assessment.models import IndicatorValue

CSV = "单位,tz\n湖南镇,90\n松下镇,85.5\n"


def values(round_) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    rows = IndicatorValue.objects.filter(round=round_).select_related("unit")
    return {v.unit.name: v.value for v in rows}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_a_values_csv_in_gbk_or_utf8_is_imported_through_the_api(
    client, org, draft_round, encoding
):
    client.force_login(org.office)
    upload = SimpleUploadedFile("values.csv", CSV.encode(encoding))
    response = client.post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import", {"file": upload}
    )
    assert response.status_code == 200, response.content
    assert values(draft_round) == {"湖南镇": Decimal(90), "松下镇": Decimal("85.5")}


def test_a_gbk_csv_is_imported_by_the_scores_command(tmp_path, org, draft_round, capsys):
    path = tmp_path / "values.csv"
    path.write_bytes(CSV.encode("gbk"))
    call_command("scores", "import", "--round", str(draft_round.pk), str(path))
    assert values(draft_round)["湖南镇"] == Decimal(90)
    shown = capsys.readouterr()
    assert "读取文件" in shown.err and "核对并写入指标值" in shown.err and "2/2" in shown.err
    assert shown.out.startswith("已导入 2 个指标值")


def test_an_undecodable_csv_is_refused_in_chinese_and_changes_nothing(client, org, draft_round):
    client.force_login(org.office)
    upload = SimpleUploadedFile("values.csv", b"\x80\xff" * 50)
    response = client.post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import", {"file": upload}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "无法识别文件编码：请以 UTF-8 或 GBK（GB18030）编码保存后再导入。"
    )
    assert values(draft_round) == {}


def test_a_file_that_is_not_xlsx_on_values_import_is_refused_not_a_server_error(
    client, org, draft_round
):
    client.force_login(org.office)
    upload = SimpleUploadedFile("values.xlsx", b"this is not a workbook")
    response = client.post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import", {"file": upload}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "无法读取文件：请上传 Excel（.xlsx）文件。"
    assert values(draft_round) == {}


def test_the_scores_command_refuses_a_non_xlsx_file_with_a_message_not_a_traceback(
    tmp_path, org, draft_round
):
    path = tmp_path / "values.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(CommandError) as exc:
        call_command("scores", "import", "--round", str(draft_round.pk), str(path))
    assert "无法读取文件" in str(exc.value)
    assert values(draft_round) == {}


def test_a_plan_file_that_is_not_utf8_or_gbk_is_refused_in_chinese(client, org):
    from gongjian.assessment.models import Plan

    before = Plan.objects.count()
    client.force_login(org.office)
    upload = SimpleUploadedFile("plan.yaml", b"name: \xff\xfe\x80")
    response = client.post("/api/assessment/plans/import", {"file": upload})
    assert response.status_code == 422
    assert "无法识别文件编码" in response.json()["errors"][0]["message"]
    assert Plan.objects.count() == before


def test_a_plan_sheet_with_only_column_a_is_refused_not_a_server_error(org):
    import io

    from openpyxl import Workbook

    from gongjian.assessment import plan_file
    from gongjian.core.errors import ImportRejected

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = plan_file.PLAN_SHEET
    ws.append(["行动", "攻坚120天"])
    groups = wb.create_sheet(plan_file.GROUP_SHEET)
    groups.append(["分组"])
    groups.append(["乡镇"])  # the unit column left out
    wb.create_sheet(plan_file.INDICATOR_SHEET).append(plan_file.INDICATOR_COLUMNS)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected):
        plan_file.read_xlsx(out.getvalue())
