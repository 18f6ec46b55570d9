"""The org API for every role: who am I, units in scope, resolution, tokens, anonymous refusal."""

import pytest

from gongjian.org.services import issue_api_token
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_anonymous_is_refused(client, org):
    assert client.get("/api/org/me").status_code == 401
    assert client.get("/api/org/units").status_code == 401


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("office", {"长乐区", "区发改局", "区财政局", "湖南镇", "松下镇", "湖南村"}),
        ("hunan_staff", {"湖南镇", "湖南村"}),
        ("lead", {"区发改局", "湖南镇", "松下镇", "湖南村"}),
        ("leader", {"区财政局", "湖南镇", "湖南村"}),
        ("inspector", {"长乐区", "区发改局", "区财政局", "湖南镇", "松下镇", "湖南村"}),
        ("viewer", {"湖南镇", "湖南村"}),
    ],
)
def test_units_endpoint_lists_exactly_the_users_scope(client, org, user, expected):
    login(client, getattr(org, user))
    response = client.get("/api/org/units")
    assert response.status_code == 200
    assert {u["name"] for u in response.json()} == expected


def test_me_reports_unit_and_roles(client, org):
    login(client, org.lead)
    body = client.get("/api/org/me").json()
    assert body["unit"]["name"] == "区发改局"
    assert body["roles"] == ["lead_staff"]


def test_resolve_inside_scope_answers_with_path(client, org):
    login(client, org.office)
    body = client.get("/api/org/units/resolve", {"name": "湖南鎮"}).json()
    assert body["path"] == "福州市 / 长乐区 / 湖南镇"


def test_resolve_outside_scope_is_forbidden(client, org):
    login(client, org.hunan_staff)
    response = client.get("/api/org/units/resolve", {"name": "松下镇"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_resolve_ambiguous_name_is_422_with_candidates(client, org):
    login(client, org.city_office)
    response = client.get("/api/org/units/resolve", {"name": "区财政局"})
    assert response.status_code == 422
    assert len(response.json()["candidates"]) == 2


def test_bearer_token_authenticates_as_its_user(client, org):
    token = issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    response = client.get("/api/org/units", headers={"Authorization": f"Bearer {token}"})
    assert {u["name"] for u in response.json()} == {"湖南镇", "湖南村"}


def test_unknown_token_is_refused(client, org):
    response = client.get("/api/org/units", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
