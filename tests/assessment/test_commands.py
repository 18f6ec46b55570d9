"""The assessment's commands: `gongjian assess --round N` prints the round as a table or JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.assessment import services
from gongjian.assessment.models import Round
from tests.assessment.factories import enter, import_plan


def test_assess_computes_a_draft_and_prints_its_table(org, draft_round: Round) -> None:  # type: ignore[no-untyped-def]
    enter(draft_round, org.hunan, "tz", "96.5")
    enter(draft_round, org.songxia, "tz", "96.5")
    out = io.StringIO()
    call_command("assess", round=draft_round.pk, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("│ 乡镇")]
    assert len(lines) == 2
    for line, unit in zip(lines, ("湖南镇", "松下镇"), strict=True):
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        assert cells[:5] == ["乡镇", "并列1", unit, "96.50", "优秀"]
        assert cells[5] == "重大项目建设提速攻坚 96.50/并列1"
    draft_round.refresh_from_db()
    assert draft_round.state == "computed"


def test_assess_prints_json_when_asked(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("assess", round=computed_round.pk, json=True, stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["unit"], r["score"], r["rank"]) for r in rows] == [
        ("湖南镇", "90.00", 1),
        ("松下镇", "85.00", 2),
    ]


def test_rounds_open_creates_a_draft_round_of_the_plan(plan) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("rounds", "open", "--plan", str(plan.pk), "--period", "2027-01", stdout=out)
    round_ = Round.objects.get(plan=plan, period="2027-01")
    assert (round_.state, round_.title) == ("draft", "")
    assert out.getvalue().startswith(f"已新建考评期 {round_.pk}：")
    call_command(
        "rounds", "open", "--plan", str(plan.pk), "--period", "2027-02", "--title", "2月考评"
    )
    assert Round.objects.get(plan=plan, period="2027-02").title == "2月考评"


def test_rounds_open_refuses_a_second_round_of_the_month_and_a_bad_period(plan) -> None:  # type: ignore[no-untyped-def]
    call_command("rounds", "open", "--plan", str(plan.pk), "--period", "2026-12")
    with pytest.raises(CommandError, match="该方案已有 2026-12 的考评期"):
        call_command("rounds", "open", "--plan", str(plan.pk), "--period", "2026-12")
    with pytest.raises(CommandError, match="考评期应为“年-月”"):
        call_command("rounds", "open", "--plan", str(plan.pk), "--period", "2026-13")
    with pytest.raises(CommandError, match="找不到考评方案 999999"):
        call_command("rounds", "open", "--plan", "999999", "--period", "2027-01")
    assert Round.objects.filter(plan=plan).count() == 1


def test_rounds_without_a_subcommand_still_lists_the_rounds(draft_round: Round) -> None:
    out = io.StringIO()
    call_command("rounds", "--json", stdout=out)
    assert [r["id"] for r in json.loads(out.getvalue())] == [draft_round.pk]


def test_assess_prints_a_line_only_round_without_a_composite(org) -> None:  # type: ignore[no-untyped-def]
    plan = import_plan(composite="none", report={"style": "lines"})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    enter(round_, org.hunan, "tz", "90")
    enter(round_, org.songxia, "tz", "85")
    out = io.StringIO()
    call_command("assess", round=round_.pk, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("│ 乡镇")]
    cells = [[c.strip() for c in line.strip("│┃ ").split("│")] for line in lines]
    assert [c[:5] for c in cells] == [
        ["乡镇", "—", "湖南镇", "—", ""],
        ["乡镇", "—", "松下镇", "—", ""],
    ]
    assert [c[5] for c in cells] == ["重大项目建设提速攻坚 90.00/1", "重大项目建设提速攻坚 85.00/2"]
