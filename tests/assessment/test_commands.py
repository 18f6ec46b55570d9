"""The assessment's commands: `gongjian assess --round N` prints the round as a table or JSON."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from gongjian.assessment.models import Round
from tests.assessment.factories import enter


def test_assess_computes_a_draft_and_prints_its_table(org, draft_round: Round) -> None:  # type: ignore[no-untyped-def]
    enter(draft_round, org.hunan, "tz", "96.5")
    enter(draft_round, org.songxia, "tz", "96.5")
    out = io.StringIO()
    call_command("assess", round=draft_round.pk, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("│ 乡镇")]
    assert len(lines) == 2
    for line, unit in zip(lines, ("湖南镇", "松下镇"), strict=True):
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        assert cells[:5] == ["乡镇", "并列1", unit, "96.5", "优秀"]
        assert cells[5] == "重大项目建设提速攻坚 96.5/并列1"
    draft_round.refresh_from_db()
    assert draft_round.state == "computed"


def test_assess_prints_json_when_asked(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("assess", round=computed_round.pk, json=True, stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["unit"], r["score"], r["rank"]) for r in rows] == [
        ("湖南镇", 90, 1),
        ("松下镇", 85, 2),
    ]
