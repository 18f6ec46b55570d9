"""Role changes made in the admin are permission changes: each is in the security audit log."""

from __future__ import annotations

from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.org.models import Role, RoleGrant, User
from tests.factories import UserFactory


def _change_form(user: User, grants: list[tuple[int | None, str, bool]]) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "display_name": "",
        "unit": user.unit_id,
        "person": "",
        "roles-TOTAL_FORMS": str(len(grants)),
        "roles-INITIAL_FORMS": str(sum(1 for pk, _r, _d in grants if pk)),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, role, delete) in enumerate(grants):
        data[f"roles-{i}-id"] = pk or ""
        data[f"roles-{i}-user"] = user.pk
        data[f"roles-{i}-role"] = role
        if delete:
            data[f"roles-{i}-DELETE"] = "on"
    return data


def test_granting_and_revoking_roles_in_the_admin_is_recorded(client, org):
    root = UserFactory(username="root", unit=org.city, is_superuser=True, is_staff=True)
    client.force_login(root)
    target = org.viewer
    grant = RoleGrant.objects.get(user=target)
    response = client.post(
        f"/admin/org/user/{target.pk}/change/",
        _change_form(target, [(grant.pk, Role.VIEWER, True), (None, Role.INSPECTOR, False)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(target.roles.values_list("role", flat=True)) == {Role.INSPECTOR}
    events = set(
        SecurityEvent.objects.filter(
            kind__in=[EventKind.ROLE_GRANTED, EventKind.ROLE_REVOKED]
        ).values_list("kind", "username", "target", "detail")
    )
    assert events == {
        (EventKind.ROLE_GRANTED, "root", "viewer", Role.INSPECTOR),
        (EventKind.ROLE_REVOKED, "root", "viewer", Role.VIEWER),
    }


def test_creating_a_user_records_the_account_and_each_role_granted(org):
    from gongjian.org import services

    services.create_user(
        actor=org.office,
        username="clerk",
        password="Fuzhou-2026-ok",
        unit=org.hunan,
        roles=["viewer"],
    )
    events = list(
        SecurityEvent.objects.order_by("pk").values_list("kind", "username", "target", "detail")
    )
    assert events == [
        (EventKind.USER_CREATED, "office", "clerk", ""),
        (EventKind.ROLE_GRANTED, "office", "clerk", "viewer"),
    ]
