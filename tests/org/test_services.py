import pytest

from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.org import services
from gongjian.org.models import Unit, User


def test_duplicate_unit_name_under_one_parent_is_refused_and_nothing_changes(org):
    before = Unit.objects.count()
    with pytest.raises(ValidationFailed, match="已有同名单位"):
        services.create_unit(actor=org.office, name="湖南鎮", kind="town", parent=org.changle)
    assert Unit.objects.count() == before


def test_office_admin_creates_units_only_in_its_tree(org):
    unit = services.create_unit(
        actor=org.office, name="区统计局", kind="department", parent=org.changle
    )
    assert unit.path.startswith(org.changle.path)
    before = Unit.objects.count()
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=org.office, name="区统计局", kind="department", parent=org.gulou)
    assert Unit.objects.count() == before


def test_unit_staff_cannot_create_users(org):
    with pytest.raises(PermissionDenied):
        services.create_user(
            actor=org.hunan_staff,
            username="x",
            password="long-enough-1",
            unit=org.hunan,
            roles=["viewer"],
        )
    assert not User.objects.filter(username="x").exists()


def test_unknown_role_is_refused_and_no_user_is_left_behind(org):
    with pytest.raises(ValidationFailed, match="未知角色"):
        services.create_user(
            actor=org.office, username="x", password="long-enough-1", unit=org.hunan, roles=["boss"]
        )
    assert not User.objects.filter(username="x").exists()


def test_every_write_is_in_the_history_with_its_actor(org):
    unit = services.create_unit(
        actor=org.office, name="区统计局", kind="department", parent=org.changle
    )
    entry = unit.history.latest()
    assert entry.history_user == org.office
    assert entry.history_change_reason == "新建单位"
