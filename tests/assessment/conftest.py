"""Assessment fixtures over the shared `org` world (湖南镇 and 松下镇 in one 乡镇 group)."""

from __future__ import annotations

import pytest

from gongjian.assessment import services
from gongjian.assessment.models import Plan, Round
from tests.assessment.factories import enter, import_plan


@pytest.fixture
def plan(org) -> Plan:  # type: ignore[no-untyped-def]
    return import_plan()


@pytest.fixture
def draft_round(plan: Plan) -> Round:
    return services.create_round(actor=None, plan=plan, period="2026-12", title="12月考评")


@pytest.fixture
def computed_round(org, draft_round: Round) -> Round:  # type: ignore[no-untyped-def]
    enter(draft_round, org.hunan, "tz", "90")
    enter(draft_round, org.songxia, "tz", "85")
    services.compute_round(actor=None, round=draft_round)
    draft_round.refresh_from_db()
    return draft_round


@pytest.fixture
def published_round(computed_round: Round) -> Round:
    return services.publish_round(actor=None, round=computed_round)
