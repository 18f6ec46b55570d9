"""Uploads (issue 12.1, 12.11): permission first, then size, then reading; a refusal changes
nothing. (Unreadable files: tests/exchange/test_hostile_files.py.)"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from gongjian.assessment import plan_file, values_file
from gongjian.assessment.models import Plan, Round
from tests.assessment.factories import snapshot
from tests.factories import PASSWORD


def as_user(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call of the file readers the API uses."""
    calls: list[str] = []

    def record(kind: str) -> Any:
        def reader(name: str, content: bytes) -> Any:
            calls.append(kind)
            raise AssertionError("the file must not be read")

        return reader

    monkeypatch.setattr(values_file, "read_values", record("values"))
    monkeypatch.setattr(plan_file, "read_upload", record("plan"))
    return calls


def test_a_unit_that_may_not_enter_values_is_refused_before_its_file_is_read(
    org, computed_round: Round, readers: list[str]
) -> None:  # type: ignore[no-untyped-def]
    # 湖南镇 sees its own draft row, so it knows the round; it assesses nobody in it
    before = snapshot(computed_round)
    response = as_user(org.hunan_staff).post(
        f"/api/assessment/rounds/{computed_round.pk}/values/import",
        {"file": upload("values.csv", b"x")},
    )
    assert (response.status_code, response.json()["message"]) == (
        403,
        "无权向该考评期录入或导入指标值。",
    )
    assert readers == []
    assert snapshot(computed_round) == before


def test_a_user_who_may_not_import_plans_is_refused_before_the_file_is_read(
    org, readers: list[str]
) -> None:  # type: ignore[no-untyped-def]
    response = as_user(org.viewer).post(
        "/api/assessment/plans/import", {"file": upload("plan.yaml", b"x")}
    )
    assert (response.status_code, response.json()["message"]) == (403, "无权导入考评方案。")
    assert readers == []
    assert not Plan.objects.exists()


def test_a_file_over_the_limit_is_refused_and_changes_nothing(
    org, draft_round: Round, settings: Any
) -> None:  # type: ignore[no-untyped-def]
    settings.GONGJIAN_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    before = snapshot(draft_round)
    response = as_user(org.lead).post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import",
        {"file": upload("values.csv", b"0" * (2 * 1024 * 1024 + 1))},
    )
    assert response.status_code == 422
    assert "超过了导入上限 2.0 MB" in response.json()["errors"][0]["message"]
    assert snapshot(draft_round) == before
