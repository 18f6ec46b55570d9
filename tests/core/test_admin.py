"""Admin in Chinese, scoped: an office admin sees its own tree only; others are kept out."""

from tests.factories import PASSWORD


def test_office_admin_sees_only_its_tree_in_the_admin(client, org):
    org.office.is_staff = True
    org.office.save()
    client.login(username="office", password=PASSWORD)
    body = client.get("/admin/org/unit/").content.decode()
    assert "湖南镇" in body
    assert "鼓楼区" not in body


def test_admin_search_finds_a_unit_by_traditional_spelling_of_an_alias(client, org):
    from gongjian.org.services import add_alias

    add_alias(actor=None, unit=org.fagai, alias="区发展和改革局")
    org.office.is_staff = True
    org.office.save()
    client.login(username="office", password=PASSWORD)
    body = client.get("/admin/org/unit/", {"q": "區發展和改革局"}).content.decode()
    assert "区发改局" in body


def test_unit_staff_cannot_open_the_admin(client, org):
    org.hunan_staff.is_staff = True
    org.hunan_staff.save()
    client.login(username="hunan", password=PASSWORD)
    response = client.get(f"/admin/org/unit/{org.hunan.pk}/change/")
    assert response.status_code == 403


def test_office_admin_cannot_open_a_unit_outside_its_tree(client, org):
    org.office.is_staff = True
    org.office.save()
    client.login(username="office", password=PASSWORD)
    response = client.get(f"/admin/org/unit/{org.gulou.pk}/change/")
    # Out of scope is treated as absent: the admin sends the user back to its index, unseen.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "鼓楼区" not in client.get("/admin/").content.decode()
