"""Units lagging, named in the bulletin's body from the round's results (issue 13)."""

from __future__ import annotations

from typing import Any

from gongjian.assessment import services
from gongjian.assessment.bulletin import build_bulletin, lagging, to_markdown
from tests.assessment.factories import enter, import_plan


def _task_round(org: Any, done: dict[Any, int]) -> Any:
    plan = import_plan(
        report={"style": "lines"},
        lines=[
            {
                "name": "城乡品质再提升攻坚",
                "indicators": [{"code": "cx", "name": "城乡品质提升任务", "method": "pass_fail"}],
            }
        ],
    )
    round_ = services.create_round(actor=None, plan=plan, period="2026-12", title="12月考评")
    for unit, value in done.items():
        enter(round_, unit, "cx", value)
    services.compute_round(actor=None, round=round_)
    round_.refresh_from_db()
    return round_


def test_a_unit_that_did_not_finish_its_task_is_named_under_its_own_heading(org: Any) -> None:
    round_ = _task_round(org, {org.hunan: 1, org.songxia: 0})
    lag, unfinished = lagging(round_)
    assert unfinished == ["城乡品质再提升攻坚未完成任务的有松下镇"]
    # A 完成/未完成 task has no last place; scoring 0 grades the unit 不合格, which is named.
    assert lag == ["等次为不合格的有松下镇"]
    md = to_markdown(build_bulletin(round_))
    assert "### （一）排名靠前的单位" in md
    assert "### （二）排名靠后的单位\n\n等次为不合格的有松下镇。" in md
    assert "### （三）未完成任务的单位\n\n城乡品质再提升攻坚未完成任务的有松下镇。" in md


def test_when_everyone_finished_the_body_has_no_second_level_headings(org: Any) -> None:
    round_ = _task_round(org, {org.hunan: 1, org.songxia: 1})
    assert lagging(round_) == ([], [])
    b = build_bulletin(round_)
    assert b.sections[0].subsections == []
    assert "所有乡镇均完成任务" in b.text()
