"""A fixture load (loaddata, a restore) cannot rewrite a published round behind the services."""

from __future__ import annotations

import json

import pytest
from django.core import serializers
from django.core.management import call_command

from gongjian.assessment.models import Round, UnitResult
from gongjian.core.errors import Immutable
from tests.assessment.factories import snapshot


def _fixture(tmp_path, objs) -> str:
    data = json.loads(serializers.serialize("json", objs))
    path = tmp_path / "restore.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_loaddata_changing_a_published_score_fails_and_changes_nothing(
    org, published_round: Round, tmp_path
) -> None:
    before = snapshot(published_round)
    result = UnitResult.objects.filter(round=published_round).first()
    assert result is not None
    result.score = result.score + 50  # in memory only: save() would refuse
    path = _fixture(tmp_path, [result])
    with pytest.raises(Immutable):
        call_command("loaddata", path, verbosity=0)
    assert snapshot(published_round) == before


def test_loaddata_turning_a_published_round_back_to_draft_fails(
    org, published_round: Round, tmp_path
) -> None:
    before = snapshot(published_round)
    published_round.state = "draft"
    path = _fixture(tmp_path, [published_round])
    with pytest.raises(Immutable):
        call_command("loaddata", path, verbosity=0)
    assert snapshot(published_round) == before
