"""Uploads (issue 12.11): permission, then size, then reading; a file that cannot be read is a
refusal in Chinese (422), never a 500, and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from gongjian.assessment import api
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


UNREADABLE = "无法读取该文件：请上传 .xlsx 文件，或 UTF-8 编码的 .csv / .yaml 文件"


def _refused_as_unreadable(response: Any) -> None:
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["message"] == "导入被拒绝：共 1 处错误，未做任何更改。"
    assert [e["message"] for e in body["errors"]] == [UNREADABLE]


def test_a_values_file_that_is_not_a_workbook_is_refused_in_chinese(org, draft_round) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(draft_round)
    response = as_user(org.lead).post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import",
        {"file": upload("values.xlsx", b"this is not a workbook")},
    )
    _refused_as_unreadable(response)
    assert snapshot(draft_round) == before


def test_a_gbk_values_csv_is_refused_in_chinese(org, draft_round) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(draft_round)
    content = "单位,tz\n湖南镇,90\n".encode("gbk")
    response = as_user(org.lead).post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import",
        {"file": upload("values.csv", content)},
    )
    _refused_as_unreadable(response)
    assert snapshot(draft_round) == before


def test_a_plan_file_that_is_not_utf8_is_refused_in_chinese(org) -> None:  # type: ignore[no-untyped-def]
    content = "campaign: 攻坚120天\nowner: 长乐区\nname: 方案\n".encode("gbk")
    response = as_user(org.office).post(
        "/api/assessment/plans/import", {"file": upload("plan.yaml", content)}
    )
    _refused_as_unreadable(response)
    assert not Plan.objects.exists()


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call of the file readers the API uses."""
    calls: list[str] = []

    def record(kind: str) -> Any:
        def reader(name: str, content: bytes) -> Any:
            calls.append(kind)
            raise AssertionError("the file must not be read")

        return reader

    monkeypatch.setattr(api, "read_values", record("values"))
    monkeypatch.setattr(api.plan_file, "read_upload", record("plan"))
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


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    org, draft_round: Round, readers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(api, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    before = snapshot(draft_round)
    response = as_user(org.lead).post(
        f"/api/assessment/rounds/{draft_round.pk}/values/import",
        {"file": upload("values.csv", b"0" * (2 * 1024 * 1024 + 1))},
    )
    assert (response.status_code, response.json()["message"]) == (422, "文件过大：不能超过 2 MB。")
    assert readers == []
    assert snapshot(draft_round) == before
