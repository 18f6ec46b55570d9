"""On the demo world: the leader view's orders are the orders board's, filtered to the leader's
linked units and projects, for every demo leader (and the office, who is linked to nothing)."""

import pytest
from django.db.models import Q

from gongjian.org.models import Role, Unit, User
from gongjian.supervision import selectors
from gongjian.supervision.selectors import OPEN


@pytest.fixture
def demo(demo):  # the demo's users by name, over the demo built once for this module
    return {u.username: u for u in User.objects.all()}


def board_filtered_by_hand(user):
    """The board's orders, filtered here from the database, not by the selector under test."""
    board = selectors.board(user)
    person = user.person_id
    linked = list(Unit.objects.filter(linked_leaders=person).values_list("path", flat=True))
    led = set()
    if person:
        from gongjian.projects.models import Project

        led = set(
            Project.objects.filter(Q(leader_id=person) | Q(team__id=person)).values_list(
                "pk", flat=True
            )
        )
    return [
        o.code
        for o in board.orders
        if o.state in OPEN
        and (
            (not linked and not led)
            or any(o.unit.path.startswith(p) for p in linked)
            or o.project_id in led
        )
    ]


def test_leader_view_lists_the_boards_open_orders_of_the_leaders_units(demo, client):
    leaders = User.objects.filter(roles__role=Role.LEADER).distinct()
    assert leaders.exists()
    for user in [*leaders, demo["changle_office"]]:
        expected = board_filtered_by_hand(user)
        client.force_login(user)
        page = client.get("/dashboard/leader/")
        assert page.status_code == 200
        shown = [o.code for o in page.context["orders"]]
        assert sorted(shown) == sorted(expected), user.username
        assert f"（{len(expected)}）" in page.content.decode()
    # the demo's leader is linked to 湖南镇, whose lagging projects have open orders
    assert len(board_filtered_by_hand(demo["leader_lin"])) >= 3
