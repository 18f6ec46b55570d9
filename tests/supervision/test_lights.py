"""Lights on open orders and the daily digest to everyone concerned, through tick."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.supervision import lights, tick
from gongjian.supervision.flow import Light, State, light
from gongjian.supervision.models import Message, SupervisionSettings
from tests.supervision.factories import make_order, unit_staff

# 2026-12-01 is a Tuesday.
TUE = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("state", "deadline", "left", "expected"),
    [
        (State.IN_PROGRESS, dt.date(2026, 12, 10), 7, Light.GREEN),
        (State.IN_PROGRESS, dt.date(2026, 12, 4), 3, Light.YELLOW),
        (State.ISSUED, TUE, 0, Light.YELLOW),  # due today: still in time
        (State.ACKNOWLEDGED, dt.date(2026, 11, 30), 0, Light.RED),
        (State.FEEDBACK, dt.date(2026, 11, 30), 0, None),  # the unit owes nothing now
        (State.PENDING_APPROVAL, dt.date(2026, 11, 30), 0, None),
    ],
)
def test_an_open_order_is_green_yellow_within_n_working_days_and_red_when_late(
    state, deadline, left, expected
):
    assert light(state, deadline, TUE, left, 3) is expected


def test_yellow_counts_working_days_and_follows_the_campaigns_setting(org):
    # Friday 12-04 is 3 working days after Tuesday; Monday 12-07 is 4 (the weekend does not count)
    friday = make_order(org, deadline=dt.date(2026, 12, 4))
    monday = make_order(org, deadline=dt.date(2026, 12, 7))
    assert (lights.order_light(friday, TUE), lights.order_light(monday, TUE)) == (
        Light.YELLOW,
        Light.GREEN,
    )
    SupervisionSettings.objects.create(campaign=org.line.campaign, yellow_working_days=1)
    monday.campaign = friday.campaign = org.line.campaign
    assert (lights.order_light(friday, TUE), lights.order_light(monday, TUE)) == (
        Light.GREEN,
        Light.GREEN,
    )


def _digests(user):
    return list(
        Message.objects.filter(user=user, text__startswith="督办亮灯提醒")
        .order_by("pk")
        .values_list("text", flat=True)
    )


def test_everyone_concerned_gets_one_digest_a_day_and_never_an_unchanged_light(org, set_today):
    songxia = unit_staff(org.songxia)
    order = make_order(org, deadline=dt.date(2026, 12, 3), cooperators=[org.songxia])
    power = make_order(org, deadline=dt.date(2026, 12, 2), title="用电接入")
    # when tick runs: yellow for both, told to the lead's and co-operating handlers and the leader
    assert tick.tick(deliver=False).light_digests == 3
    assert _digests(org.hunan_staff) == [
        "督办亮灯提醒（2026-12-01）：\n"
        f"黄灯 {power.code} 用电接入（湖南镇，时限 2026-12-02）\n"
        f"黄灯 {order.code} 加快征迁交地进度（湖南镇，时限 2026-12-03）"
    ]
    assert len(_digests(org.leader)) == 1
    assert _digests(songxia) == [
        "督办亮灯提醒（2026-12-01）：\n"
        f"黄灯 {order.code} 加快征迁交地进度（湖南镇，时限 2026-12-03）"
    ]
    assert _digests(org.office) == []  # the office reads the board, not a digest
    # the same day again: nothing more
    assert tick.tick(deliver=False).light_digests == 0
    # the next day nothing changed: nothing sent
    set_today(dt.date(2026, 12, 2))
    assert tick.tick(deliver=False).light_digests == 0
    # once the first turns red, only that change is told
    set_today(dt.date(2026, 12, 3))
    tick.tick(deliver=False)
    assert _digests(org.hunan_staff)[-1] == (
        f"督办亮灯提醒（2026-12-03）：\n红灯 {power.code} 用电接入（湖南镇，时限 2026-12-02）"
    )
    assert len(_digests(songxia)) == 1  # its order is still yellow: nothing new for 松下镇


def test_nothing_is_sent_when_no_light_is_yellow_or_red(org):
    make_order(org, deadline=dt.date(2026, 12, 20))
    make_order(org, state=State.CLOSED, deadline=dt.date(2026, 12, 2))
    assert tick.tick(deliver=False).light_digests == 0
    assert Message.objects.filter(text__startswith="督办亮灯提醒").count() == 0


def test_the_board_and_the_api_show_each_orders_light(client, org):
    from tests.factories import PASSWORD

    order = make_order(org, deadline=dt.date(2026, 12, 3))
    assert client.login(username=org.leader.username, password=PASSWORD)
    board = client.get("/supervision/").content.decode()
    assert f'data-order="{order.code}" data-light="yellow"' in board
    assert client.get("/api/supervision/orders").json()["items"][0]["light"] == "yellow"
    detail = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert 'id="light">黄灯' in detail
