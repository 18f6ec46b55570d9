"""`gongjian results export`: a round's results from the command line, as the user may see them
(the same rows as the results page's .xlsx), with a progress bar; a draft stays out of sight."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gongjian.core.audit import SecurityEvent


def export(tmp_path, user, round_):
    path, out = tmp_path / "results.xlsx", io.StringIO()
    call_command(
        "results", "export", str(path), "--round", str(round_.pk), "--user", user.username,
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    table = list(openpyxl.load_workbook(path)["考评结果"].iter_rows(values_only=True))
    return table, out.getvalue()


def test_published_results_export_every_unit_by_rank_and_the_export_is_logged(
    tmp_path, org, published_round, capsys
):
    table, out = export(tmp_path, org.viewer, published_round)
    assert "写入考评结果" in capsys.readouterr().err  # the progress bar's stage, on stderr
    assert [(r[0], r[1], r[2], r[3]) for r in table[1:]] == [
        ("乡镇", 1, "湖南镇", 90),
        ("乡镇", 2, "松下镇", 85),
    ]
    assert f"已导出 {published_round} 的考评结果" in out
    event = SecurityEvent.objects.filter(kind="export", user_id=org.viewer.pk).latest("pk")
    assert event.detail == "gongjian results"


@pytest.mark.parametrize(
    ("who", "units"), [("office", ["湖南镇", "松下镇"]), ("hunan_staff", ["湖南镇"])]
)
def test_a_computed_round_gives_each_user_what_the_page_gives(
    tmp_path, org, computed_round, who, units
):
    table, _out = export(tmp_path, getattr(org, who), computed_round)
    assert [r[2] for r in table[1:]] == units


@pytest.mark.parametrize("who", ["inspector", "leader"])
def test_a_round_out_of_sight_is_refused_as_not_found_and_writes_nothing(
    tmp_path, org, computed_round, who
):
    path = tmp_path / "results.xlsx"
    with pytest.raises(CommandError, match="找不到该考评期，或无权查看"):
        call_command(
            "results", "export", str(path), "--round", str(computed_round.pk),
            "--user", getattr(org, who).username,
        )  # fmt: skip
    assert not path.exists()


def test_an_unknown_user_is_refused(tmp_path, org, published_round):
    with pytest.raises(CommandError, match="找不到用户 nobody"):
        call_command(
            "results", "export", str(tmp_path / "r.xlsx"), "--round", str(published_round.pk),
            "--user", "nobody",
        )  # fmt: skip
