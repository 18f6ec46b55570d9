"""Each role against each kind of unit: own subtree, a child, a sibling, the parent, linked, led."""

import pytest

from gongjian.core.errors import PermissionDenied
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for

A = Action

# (user, unit, actions allowed there); every other action on that unit must be refused.
CASES = [
    ("office", "changle", set(Action)),
    ("office", "hunan_village", set(Action)),
    ("office", "city", set()),
    ("office", "gulou", set()),
    ("city_office", "gulou_caizheng", set(Action)),
    ("city_office", "hunan", set(Action)),
    ("lead", "fagai", {A.VIEW, A.ENTER_SCORES, A.OBJECT}),
    ("lead", "hunan", {A.VIEW, A.ENTER_SCORES}),
    ("lead", "hunan_village", {A.VIEW, A.ENTER_SCORES}),
    ("lead", "caizheng", set()),
    ("lead", "changle", set()),
    ("hunan_staff", "hunan", {A.VIEW, A.EDIT_LEDGER, A.REPORT_PROGRESS, A.HANDLE_ORDER, A.OBJECT}),
    (
        "hunan_staff",
        "hunan_village",
        {A.VIEW, A.EDIT_LEDGER, A.REPORT_PROGRESS, A.HANDLE_ORDER, A.OBJECT},
    ),
    ("hunan_staff", "songxia", set()),
    ("hunan_staff", "changle", set()),
    ("leader", "caizheng", {A.VIEW, A.ISSUE_ORDER}),
    ("leader", "hunan", {A.VIEW, A.ISSUE_ORDER}),
    ("leader", "songxia", set()),
    ("leader", "changle", set()),
    ("inspector", "changle", {A.VIEW, A.INSPECT}),
    ("inspector", "songxia", {A.VIEW, A.INSPECT}),
    ("inspector", "gulou", set()),
    ("viewer", "hunan", {A.VIEW}),
    ("viewer", "songxia", set()),
]


@pytest.mark.parametrize(("user", "unit", "allowed"), CASES)
def test_role_may_do_exactly_its_actions_on_each_unit(org, user, unit, allowed):
    scope = scope_for(getattr(org, user))
    target = getattr(org, unit)
    for action in Action:
        assert scope.can(action, target) is (action in allowed), (user, unit, action)


def test_require_refuses_with_a_chinese_message(org):
    with pytest.raises(PermissionDenied, match="无权对“松下镇”执行“填报进度”操作"):
        scope_for(org.hunan_staff).require(Action.REPORT_PROGRESS, org.songxia)


def test_filter_keeps_only_units_in_scope(org):
    names = set(scope_for(org.hunan_staff).units().values_list("name", flat=True))
    assert names == {"湖南镇", "湖南村"}
    leader_names = set(scope_for(org.leader).units().values_list("name", flat=True))
    assert leader_names == {"区财政局", "湖南镇", "湖南村"}


def test_anonymous_and_inactive_users_see_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    assert not scope_for(AnonymousUser()).units().exists()
    org.viewer.is_active = False
    org.viewer.save()
    fresh = type(org.viewer).objects.get(pk=org.viewer.pk)
    assert not scope_for(fresh).units().exists()


def test_user_without_unit_sees_nothing(org):
    from tests.factories import UserFactory

    user = UserFactory(unit=None, roles=["office_admin"])
    assert scope_for(user).units().count() == 0


def test_superuser_sees_everything(org):
    from tests.factories import UserFactory

    root = UserFactory(unit=None, is_superuser=True)
    assert scope_for(root).units().count() == Unit.objects.count()


def test_moving_a_unit_moves_its_subtree_out_of_scope(org):
    org.hunan.parent = org.gulou
    org.hunan.save()
    village = Unit.objects.get(pk=org.hunan_village.pk)
    assert village.path.startswith(org.gulou.path)
    office = type(org.office).objects.get(pk=org.office.pk)
    assert not scope_for(office).can(Action.VIEW, village)
