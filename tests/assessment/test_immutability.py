"""A published round never changes: not through a service, the models, the admin or the API."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.test import Client

from gongjian.assessment import services
from gongjian.assessment.models import (
    IndicatorValue,
    Objection,
    Plan,
    PlanMember,
    Round,
    RoundState,
    UnitResult,
)
from gongjian.core.errors import Immutable, InvalidTransition
from tests.assessment.factories import enter, indicator, snapshot
from tests.factories import PASSWORD


def test_services_refuse_every_change_to_a_published_round(org, published_round: Round) -> None:
    before = snapshot(published_round)
    attempts = [
        lambda: enter(published_round, org.hunan, "tz", "1", actor=org.office),
        lambda: services.compute_round(actor=org.office, round=published_round),
        lambda: services.import_values(
            actor=org.office,
            round=published_round,
            rows=[services.ValueRow("S", 2, "B", "湖南镇", "tz", "1")],
        ),
        lambda: services.publish_round(actor=org.office, round=published_round),
    ]
    for attempt in attempts:
        with pytest.raises(Immutable):
            attempt()
    with pytest.raises((Immutable, InvalidTransition)):
        services.raise_objection(
            actor=org.hunan_staff, round=published_round, unit=org.hunan, reason="x"
        )
    assert snapshot(published_round) == before


def test_models_refuse_save_and_delete_of_a_published_round(org, published_round: Round) -> None:
    before = snapshot(published_round)
    value = IndicatorValue.objects.filter(round=published_round).first()
    result = UnitResult.objects.filter(round=published_round).first()
    assert value is not None and result is not None
    value.value = D(1)
    result.score = D(1)
    published_round.title = "改过"
    for obj in (value, result, published_round):
        with pytest.raises(Immutable):
            obj.save()
        with pytest.raises(Immutable):
            obj.delete()
    with pytest.raises(Immutable):
        Objection(
            round=published_round, unit=org.hunan, reason="x", raised_by=org.hunan_staff
        ).save()
    assert snapshot(published_round) == before


def test_bulk_writes_refuse_a_published_round(org, published_round: Round) -> None:
    before = snapshot(published_round)
    with pytest.raises(Immutable):
        UnitResult.objects.filter(round=published_round).update(rank=9)
    with pytest.raises(Immutable):
        IndicatorValue.objects.filter(round=published_round).delete()
    with pytest.raises(Immutable):
        Round.objects.filter(pk=published_round.pk).update(state=RoundState.DRAFT)
    with pytest.raises(Immutable):
        Round.objects.filter(pk=published_round.pk).delete()
    with pytest.raises(Immutable):
        IndicatorValue.objects.bulk_create(
            [IndicatorValue(round=published_round, indicator=indicator(published_round.plan, "yq"),
                            unit=org.songxia, value=D(1), source="entered")]
        )  # fmt: skip
    assert snapshot(published_round) == before


def test_the_plan_of_a_published_round_is_frozen(org, published_round: Round) -> None:
    plan = published_round.plan
    plan.precision = 0
    with pytest.raises(Immutable):
        plan.save()
    member = PlanMember.objects.filter(plan=plan).first()
    assert member is not None
    with pytest.raises(Immutable):
        member.delete()
    ind = indicator(plan, "tz")
    ind.weight = D(2)
    with pytest.raises(Immutable):
        ind.save()
    assert Plan.objects.get(pk=plan.pk).precision == 2
    assert indicator(plan, "tz").weight == D(1)


def _admin(org) -> Client:  # type: ignore[no-untyped-def]
    org.office.is_staff = True
    org.office.save()
    client = Client()
    assert client.login(username=org.office.username, password=PASSWORD)
    return client


def test_admin_shows_a_published_round_read_only_and_refuses_changes(
    org, published_round: Round
) -> None:
    client = _admin(org)
    url = f"/admin/assessment/round/{published_round.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="title"' not in page.content  # read-only: no input
    before = snapshot(published_round)
    post = client.post(url, {"title": "改过", "period": "2026-11"})
    assert post.status_code == 403
    delete = client.post(f"/admin/assessment/round/{published_round.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert snapshot(published_round) == before


def test_admin_can_still_edit_a_draft_round_title(org, draft_round: Round) -> None:
    client = _admin(org)
    page = client.get(f"/admin/assessment/round/{draft_round.pk}/change/")
    assert b'name="title"' in page.content


def test_api_refuses_changes_to_a_published_round(org, published_round: Round) -> None:
    client = _admin(org)
    before = snapshot(published_round)
    base = f"/api/assessment/rounds/{published_round.pk}"
    payload = {"indicator": "tz", "unit_id": org.hunan.pk, "value": "1"}
    response = client.post(f"{base}/values", json.dumps(payload), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "immutable")
    response = client.post(f"{base}/compute")
    assert (response.status_code, response.json()["code"]) == (409, "immutable")
    response = client.post(f"{base}/publish", "{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "immutable")
    assert snapshot(published_round) == before
