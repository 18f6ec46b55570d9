"""Builders for assessment tests: a plan document, a plan, rounds in each state."""

from __future__ import annotations

from typing import Any

import yaml

from gongjian.assessment import services
from gongjian.assessment.models import Indicator, Plan, Round
from gongjian.assessment.plan_file import read_yaml


def plan_dict(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "campaign": "攻坚120天",
        "owner": "长乐区",
        "name": "乡镇考评方案",
        "precision": 2,
        "groups": {"乡镇": ["湖南镇", "松下镇"]},
        "lines": [
            {
                "name": "重大项目建设提速攻坚",
                "indicators": [
                    {"code": "tz", "name": "投资完成得分", "method": "direct"},
                    {
                        "code": "yq",
                        "name": "督办逾期",
                        "method": "deduction",
                        "params": {"per": 1},
                        "source": "events.overdue",
                    },
                ],
            }
        ],
    }
    doc.update(overrides)
    return doc


def import_plan(actor: Any = None, **overrides: Any) -> Plan:
    text = yaml.safe_dump(plan_dict(**overrides), allow_unicode=True, sort_keys=False)
    return services.import_plan(actor=actor, doc=read_yaml(text))


def indicator(plan: Plan, code: str) -> Indicator:
    return plan.indicators.get(code=code)


def enter(round_: Round, unit: Any, code: str, value: Any, actor: Any = None) -> None:
    services.enter_value(
        actor=actor, round=round_, indicator=indicator(round_.plan, code), unit=unit, value=value
    )


def snapshot(round_: Round) -> dict[str, Any]:
    """Everything a refusal must leave as it was."""
    round_.refresh_from_db()
    return {
        "round": (round_.state, round_.version, round_.published_at),
        "values": sorted(round_.values.values_list("indicator__code", "unit_id", "value")),
        "results": sorted(round_.results.values_list("unit_id", "score", "rank", "tied")),
        "objections": sorted(round_.objections.values_list("unit_id", "state")),
    }
