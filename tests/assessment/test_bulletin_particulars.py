"""The office fills the bulletin's particulars on the round before publishing; defaults come from
the plan; a published round's particulars are as immutable as its results."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client

from gongjian.assessment import services
from gongjian.assessment.bulletin import PARTICULAR_FIELDS, build_bulletin, set_particulars
from gongjian.assessment.models import Round
from gongjian.core.errors import Immutable, PermissionDenied
from tests.assessment.factories import import_plan, snapshot
from tests.factories import PASSWORD

FILLED = {
    "doc_number": "长攻坚办〔2026〕15号",
    "doc_addressees": "各乡镇（街道）、区直有关单位",
    "doc_signatory": "长乐区攻坚行动领导小组",
    "signed_on": dt.date(2026, 12, 31),
    "doc_cc": "区委办、区政府办",
    "doc_printer": "长乐区攻坚行动领导小组办公室秘书科",
    "doc_copy_number": "000123",
    "doc_secrecy": "内部★1年",
    "doc_attach_tables": False,
}


def _particulars(round_: Round) -> dict[str, Any]:
    round_.refresh_from_db()
    return {name: getattr(round_, name) for name in PARTICULAR_FIELDS}


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_blank_particulars_default_from_the_plan(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    info = build_bulletin(computed_round).particulars
    assert info.number == "长攻坚办〔2026〕12号"
    assert info.addressees == "各乡镇"
    assert info.signatory == info.printer == "长乐区攻坚行动领导小组办公室"
    assert info.cc == "福州市攻坚行动领导小组办公室"
    assert info.attach_tables and not info.copy_number and not info.secrecy


def test_office_fills_particulars_and_the_document_states_them(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    set_particulars(actor=org.office, round=computed_round, **FILLED)
    assert _particulars(computed_round) == FILLED
    b = build_bulletin(computed_round)
    md = b.filename("md")
    assert md == "长乐区乡镇攻坚120天2026年12月考评情况通报.md"
    info = b.particulars
    assert (info.number, info.date, info.copy_number) == (
        "长攻坚办〔2026〕15号",
        FILLED["signed_on"],
        "000123",
    )
    assert b.tables == []  # the office chose not to attach the full tables
    assert computed_round.history.first().history_change_reason == "填写通报要素"


def test_particulars_of_a_published_round_never_change(org, published_round: Round) -> None:  # type: ignore[no-untyped-def]
    before = (snapshot(published_round), _particulars(published_round))
    with pytest.raises(Immutable) as refused:
        set_particulars(actor=org.office, round=published_round, doc_number="长攻坚办〔2026〕99号")
    assert "已发布" in str(refused.value)
    published_round.doc_number = "长攻坚办〔2026〕99号"
    with pytest.raises(Immutable):
        published_round.save()
    with pytest.raises(Immutable):
        Round.objects.filter(pk=published_round.pk).update(doc_number="x")
    assert (snapshot(published_round), _particulars(published_round)) == before


def test_only_the_plans_office_fills_particulars(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    before = (snapshot(computed_round), _particulars(computed_round))
    for user in (org.hunan_staff, org.viewer):
        with pytest.raises(PermissionDenied):
            set_particulars(actor=user, round=computed_round, doc_number="x")
    response = _client(org.hunan_staff).put(
        f"/api/assessment/rounds/{computed_round.pk}/bulletin/particulars",
        json.dumps({"doc_number": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert (snapshot(computed_round), _particulars(computed_round)) == before


def test_particulars_through_the_api_and_the_page(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    office = _client(org.office)
    response = office.put(
        f"/api/assessment/rounds/{computed_round.pk}/bulletin/particulars",
        json.dumps({"doc_number": "长攻坚办〔2026〕13号", "doc_cc": "区委办"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (_particulars(computed_round)["doc_number"], computed_round.doc_cc) == (
        "长攻坚办〔2026〕13号",
        "区委办",
    )
    page = office.get(f"/assessment/rounds/{computed_round.pk}/bulletin/").content.decode()
    assert 'name="doc_number"' in page and "长攻坚办〔2026〕13号" in page
    form = {"doc_number": "长攻坚办〔2026〕14号", "doc_addressees": "各乡镇", "signed_on": ""}
    office.post(f"/assessment/rounds/{computed_round.pk}/bulletin/particulars/", form)
    assert _particulars(computed_round)["doc_number"] == "长攻坚办〔2026〕14号"
    viewer_page = _client(org.viewer).get(f"/assessment/rounds/{computed_round.pk}/bulletin/")
    assert 'name="doc_number"' not in viewer_page.content.decode()


def test_download_is_named_for_the_document(org, published_round: Round) -> None:  # type: ignore[no-untyped-def]
    response = _client(org.viewer).get(
        f"/api/assessment/rounds/{published_round.pk}/bulletin", {"format": "md"}
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "长乐区乡镇攻坚120天2026年12月考评情况通报.md"


def test_combined_bulletin_refuses_rounds_of_another_period(org, published_round: Round) -> None:  # type: ignore[no-untyped-def]
    other = Round.objects.create(plan=published_round.plan, period="2026-11", title="11月考评")
    response = _client(org.office).get(
        f"/api/assessment/rounds/{published_round.pk}/bulletin",
        {"format": "md", "with": str(other.pk)},
    )
    assert response.status_code == 422
    assert response.json()["message"] == "合并通报只能选同一考评期（同一月份）的考评。"


def test_combined_bulletin_is_a_choice_on_the_page(org, computed_round: Round) -> None:  # type: ignore[no-untyped-def]
    other_plan = import_plan(name="乡镇竞赛考评方案")
    other = services.create_round(actor=None, plan=other_plan, period="2026-12", title="12月")
    office = _client(org.office)
    page = office.get(f"/assessment/rounds/{computed_round.pk}/bulletin/").content.decode()
    assert f'name="with" value="{other.pk}"' in page
    alone = office.get(f"/api/assessment/rounds/{computed_round.pk}/bulletin", {"format": "md"})
    assert "乡镇竞赛" not in alone.content.decode()
    both = office.get(
        f"/api/assessment/rounds/{computed_round.pk}/bulletin",
        {"format": "md", "with": [other.pk]},
    ).content.decode()
    assert "# 关于长乐区攻坚120天2026年12月乡镇、乡镇竞赛考评情况的通报" in both
    assert "附件2：长乐区乡镇竞赛攻坚120天2026年12月考评结果" in both
