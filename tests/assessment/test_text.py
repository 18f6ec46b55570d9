"""Text in the assessment (issue 12.6): plan files, round titles, objections, corrections and
events are checked like every text a user sends, naming the field; a refusal changes nothing."""

from __future__ import annotations

import pytest

from gongjian.assessment import services
from gongjian.assessment.models import Objection, Plan, Round
from gongjian.core.errors import ValidationFailed
from tests.assessment.factories import import_plan, plan_dict

NUL = "湖南\x00镇"


def test_a_plan_with_a_control_character_in_a_name_is_refused_naming_the_field(org):
    for overrides, label in (
        ({"name": NUL}, "方案名称"),
        ({"groups": {NUL: ["湖南镇", "松下镇"]}}, "分组（方阵/层面）"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            import_plan(**overrides)
        assert caught.value.message == f"{label}不能包含控制字符"
    lines = plan_dict()["lines"]
    lines[0]["indicators"][0]["name"] = "得" * 101
    with pytest.raises(ValidationFailed) as caught:
        import_plan(lines=lines)
    assert caught.value.message == "指标名称最长 100 个字符，现为 101 个"
    assert not Plan.objects.exists()


def test_round_titles_objections_and_corrections_are_checked(org, plan, computed_round):
    with pytest.raises(ValidationFailed, match="标题不能包含控制字符"):
        services.create_round(actor=None, plan=plan, period="2026-11", title=NUL)
    assert not Round.objects.filter(period="2026-11").exists()
    with pytest.raises(ValidationFailed, match="异议理由不能包含控制字符"):
        services.raise_objection(actor=None, round=computed_round, unit=org.hunan, reason=NUL)
    assert not Objection.objects.exists()
    published = services.publish_round(actor=None, round=computed_round)
    with pytest.raises(ValidationFailed, match="更正原因不能包含控制字符"):
        services.correct_round(actor=None, round=published, reason=NUL)
    assert Round.objects.filter(plan=plan).count() == 1
