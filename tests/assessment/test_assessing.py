"""A unit never scores itself (issue 12.3): `assessment/assessing.py` on every write path.

The city (福州市) ranks its districts; 长乐区's office may assess the units below it, but neither
长乐区 itself (its own unit) nor the city above it, in any round; nor 福清市 (outside its scope).
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from gongjian.assessment import services
from gongjian.assessment.models import Objection, Round
from gongjian.campaigns.models import Campaign
from gongjian.core.errors import ImportRejected, PermissionDenied
from tests.assessment.factories import enter, import_plan, snapshot
from tests.factories import PASSWORD, UnitFactory


def as_user(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.fixture
def city_round(org) -> Round:  # type: ignore[no-untyped-def]
    """The city's round over 长乐区 and 福清市, computed: under review."""
    fuqing = UnitFactory(name="福清市", kind="county_city", parent=org.city)
    Campaign.objects.create(
        name="全市攻坚120天", owner=org.city, start_date="2026-09-03", end_date="2026-12-31"
    )
    plan = import_plan(
        campaign="全市攻坚120天",
        owner="福州市",
        name="县（市）区考评方案",
        groups={"县（市）区": ["长乐区", "福清市"]},
    )
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    enter(round_, org.changle, "tz", "90")
    enter(round_, fuqing, "tz", "90")
    services.compute_round(actor=None, round=round_)
    round_.refresh_from_db()
    return round_


def _value(round_: Round, unit: Any) -> Any:
    return round_.values.get(unit=unit, indicator__code="tz").value


def test_a_district_office_may_not_enter_its_own_value_in_the_citys_round(org, city_round) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(city_round)
    response = post(
        as_user(org.office),
        f"/api/assessment/rounds/{city_round.pk}/values",
        {"indicator": "tz", "unit_id": org.changle.pk, "value": "100"},
    )
    assert response.status_code == 403
    assert (
        response.json()["message"] == "不能为本单位或上级单位“长乐区”录入、导入或更正考评指标值。"
    )
    assert snapshot(city_round) == before  # still computed, still 90
    assert city_round.state == "computed"


def test_a_district_office_may_not_enter_another_districts_value(org, city_round) -> None:  # type: ignore[no-untyped-def]
    fuqing = city_round.plan.members.get(unit__name="福清市").unit
    before = snapshot(city_round)
    response = post(
        as_user(org.office),
        f"/api/assessment/rounds/{city_round.pk}/values",
        {"indicator": "tz", "unit_id": fuqing.pk, "value": "100"},
    )
    assert response.status_code == 403
    assert snapshot(city_round) == before


def test_the_city_office_assesses_the_district_below_it(org, city_round) -> None:  # type: ignore[no-untyped-def]
    response = post(
        as_user(org.city_office),
        f"/api/assessment/rounds/{city_round.pk}/values",
        {"indicator": "tz", "unit_id": org.changle.pk, "value": "95"},
    )
    assert (response.status_code, response.json()["round_state"]) == (200, "draft")
    assert _value(city_round, org.changle) == 95


def _csv(*rows: str) -> io.BytesIO:
    f = io.BytesIO("\n".join(["单位,tz", *rows]).encode())
    f.name = "values.csv"
    return f


def test_a_district_office_may_not_import_its_own_value(org, city_round) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(city_round)
    response = as_user(org.office).post(
        f"/api/assessment/rounds/{city_round.pk}/values/import", {"file": _csv("长乐区,100")}
    )
    assert response.status_code == 403
    assert response.json()["message"] == "无权向该考评期录入或导入指标值。"
    assert snapshot(city_round) == before


def test_an_import_naming_ones_own_unit_is_rejected_whole(org, city_round) -> None:  # type: ignore[no-untyped-def]
    # the service's own check, cell by cell, for a caller that passed the round's gate
    before = snapshot(city_round)
    rows = [services.ValueRow("S", 2, "B", "长乐区", "tz", "100")]
    with pytest.raises(ImportRejected) as err:
        services.import_values(actor=org.office, round=city_round, rows=rows)
    assert [e.message for e in err.value.errors] == [
        "不能为本单位或上级单位“长乐区”录入、导入或更正考评指标值"
    ]
    assert snapshot(city_round) == before


def test_a_district_offices_entry_form_in_the_citys_round_has_no_cells(org, city_round) -> None:  # type: ignore[no-untyped-def]
    client = as_user(org.office)
    round_page = client.get(f"/assessment/rounds/{city_round.pk}/").content.decode()
    assert "指标录入" not in round_page  # no entry button
    form = client.get(f"/assessment/rounds/{city_round.pk}/entry/").content.decode()
    assert f"v_{org.changle.pk}_tz" not in form
    assert "本期没有您可录入的单位" in form
    before = snapshot(city_round)
    client.post(f"/assessment/rounds/{city_round.pk}/entry/", {f"v_{org.changle.pk}_tz": "100"})
    assert snapshot(city_round) == before


def test_a_lead_unit_may_not_enter_its_own_value(org) -> None:  # type: ignore[no-untyped-def]
    # the line 区发改局 leads covers 区发改局 itself: it still may not score itself
    org.line.covered_units.add(org.fagai)
    plan = import_plan(name="部门考评方案", groups={"部门": ["区发改局", "湖南镇"]})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    before = snapshot(round_)
    response = post(
        as_user(org.lead),
        f"/api/assessment/rounds/{round_.pk}/values",
        {"indicator": "tz", "unit_id": org.fagai.pk, "value": "100"},
    )
    assert response.status_code == 403
    assert snapshot(round_) == before
    allowed = post(
        as_user(org.lead),
        f"/api/assessment/rounds/{round_.pk}/values",
        {"indicator": "tz", "unit_id": org.hunan.pk, "value": "80"},
    )
    assert allowed.status_code == 200


def test_an_office_may_not_answer_the_objection_of_its_own_unit(org) -> None:  # type: ignore[no-untyped-def]
    # a plan of 长乐区 that ranks 长乐区 itself (区本级) beside a town
    plan = import_plan(name="含本级考评方案", groups={"全区": ["长乐区", "湖南镇"]})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    enter(round_, org.changle, "tz", "80")
    enter(round_, org.hunan, "tz", "90")
    services.compute_round(actor=None, round=round_)
    objection = services.raise_objection(
        actor=org.office, round=round_, unit=org.changle, reason="少算一项"
    )
    before = snapshot(round_)
    with pytest.raises(PermissionDenied):
        services.resolve_objection(actor=org.office, objection=objection, accept=True, reply="采纳")
    assert snapshot(round_) == before
    assert Objection.objects.get(pk=objection.pk).reply == ""
    with pytest.raises(PermissionDenied):
        services.enter_value(
            actor=org.office,
            round=round_,
            indicator=plan.indicators.get(code="tz"),
            unit=org.changle,
            value="100",
        )
    assert snapshot(round_) == before


def test_an_uploaded_xlsx_names_the_units_it_may_not_assess(org) -> None:  # type: ignore[no-untyped-def]
    plan = import_plan(name="含本级考评方案", groups={"全区": ["长乐区", "湖南镇"]})
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "指标"
    for row in (["单位", "tz"], ["长乐区", 100], ["湖南镇", 90]):
        sheet.append(row)
    f = io.BytesIO()
    book.save(f)
    f.seek(0)
    f.name = "values.xlsx"
    before = snapshot(round_)
    response = as_user(org.office).post(
        f"/api/assessment/rounds/{round_.pk}/values/import", {"file": f}
    )
    assert response.status_code == 422
    assert [(e["sheet"], e["row"], e["message"]) for e in response.json()["errors"]] == [
        ("指标", 2, "不能为本单位或上级单位“长乐区”录入、导入或更正考评指标值")
    ]
    assert snapshot(round_) == before
