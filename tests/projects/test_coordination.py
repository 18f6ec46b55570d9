"""Who may resolve a coordination request: one rule (`coordination.may_resolve`) that the
service, the detail page's button and the API all follow."""

import pytest

from gongjian.core.errors import PermissionDenied
from gongjian.projects import coordination
from gongjian.projects.models import CoordinationRequest
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def request_to_songxia(org, ledger):
    return coordination.raise_coordination(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        category="land",
        description="交地",
        handling_unit=org.songxia,
    )


@pytest.fixture
def songxia_staff(org):
    user = type(org.hunan_staff).objects.create(username="sx", unit=org.songxia)
    user.set_password(PASSWORD)
    user.save()
    user.roles.create(role="unit_staff")
    return user


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("office", True),
        ("hunan_staff", True),
        ("songxia_staff", True),
        ("leader", False),
        ("viewer", False),
        ("inspector", False),
    ],
)
def test_the_service_resolves_exactly_when_the_rule_says_so(
    org, ledger, request_to_songxia, songxia_staff, who, may
):
    actor = songxia_staff if who == "songxia_staff" else getattr(org, who)
    c = CoordinationRequest.objects.select_related("project__unit", "handling_unit").get(
        pk=request_to_songxia.pk
    )
    assert coordination.may_resolve(actor, c) is may
    if may:
        done = coordination.resolve_coordination(
            actor=actor, request_id=c.pk, expected_version=c.version, resolution="已交地"
        )
        assert done.status == "resolved"
        return
    with pytest.raises(PermissionDenied):
        coordination.resolve_coordination(
            actor=actor, request_id=c.pk, expected_version=c.version, resolution="已交地"
        )
    c.refresh_from_db()
    assert (c.status, c.resolution, c.version) == ("open", "", 1)


@pytest.mark.parametrize(("who", "shown"), [("hunan_staff", True), ("leader", False)])
def test_the_detail_page_offers_the_button_exactly_when_the_rule_says_so(
    client, org, ledger, request_to_songxia, who, shown
):
    login(client, getattr(org, who))
    html = client.get(f"/ledger/{ledger.hunan_project.pk}/").content.decode()
    url = f"/ledger/{ledger.hunan_project.pk}/coordination/{request_to_songxia.pk}/resolve/"
    assert (url in html) is shown


def test_the_handling_units_staff_resolves_by_api_a_request_of_a_project_it_cannot_see(
    client, org, ledger, request_to_songxia, songxia_staff
):
    login(client, songxia_staff)
    assert client.get(f"/api/ledger/projects/{ledger.hunan_project.pk}").status_code == 404
    response = client.post(
        f"/api/ledger/coordination/{request_to_songxia.pk}/resolve",
        {"version": 1, "resolution": "已交地"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"


def test_a_request_neither_in_view_nor_addressed_to_the_user_is_404_by_api(
    client, org, ledger, request_to_songxia
):
    other = coordination.raise_coordination(
        actor=org.office, project=ledger.songxia_project, category="funds", description="资金"
    )
    login(client, org.hunan_staff)
    response = client.post(
        f"/api/ledger/coordination/{other.pk}/resolve",
        {"version": 1, "resolution": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert (other.status, other.version) == ("open", 1)
