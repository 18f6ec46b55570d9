"""Reminders pushed to a unit's group robot: the JSON shape, retries with backoff, the log, the
robot's rate limit, digests of many messages, and sending right after the commit.

The robot is a local HTTP server on 127.0.0.1 started by the test; nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongjian.supervision import tick, webhooks
from gongjian.supervision.flow import State
from gongjian.supervision.models import RobotPost, UnitWebhook, WebhookDelivery
from gongjian.supervision.reminders import send_reminder
from tests.supervision.factories import make_order


class Robot:
    """A fake group robot: records what it receives, answers with the scripted replies."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append(json.loads(body))
                status, answer = robot.replies.pop(0) if robot.replies else (200, {"errcode": 0})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    yield r
    r.close()


def overdue_reminder(org, set_today):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3))
    set_today(dt.date(2026, 12, 4))
    return order


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_a_reminder_reaches_the_units_robot_as_a_text_message(org, set_today, robot, kind):
    UnitWebhook.objects.create(unit=org.hunan, kind=kind, url=robot.url)
    order = overdue_reminder(org, set_today)
    report = tick.tick()
    assert report.deliveries_sent == 1
    assert len(robot.received) == 1
    message = robot.received[0]
    assert set(message) == {"msgtype", "text"}
    assert message["msgtype"] == "text"
    assert message["text"]["content"].startswith(f"【催办】督办单 {order.code}")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")


def test_a_failed_delivery_is_logged_and_retried_with_backoff_until_it_succeeds(
    org, set_today, robot, monkeypatch
):
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url)
    robot.replies = [(500, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    overdue_reminder(org, set_today)
    now = timezone.now()
    monkeypatch.setattr("gongjian.core.clock.now", lambda: now)
    # first try fails with HTTP 500: logged, next try in 1 minute
    assert tick.tick().deliveries_failed == 1
    d = WebhookDelivery.objects.get()
    assert (d.status, d.attempts, d.last_error) == ("pending", 1, "HTTP 500")
    assert d.next_attempt_at == now + dt.timedelta(minutes=1)
    # a tick before then does not try again
    assert tick.tick().deliveries_failed == 0
    # after a minute: the robot refuses (errcode), next try in 2 minutes
    monkeypatch.setattr("gongjian.core.clock.now", lambda: now + dt.timedelta(minutes=1))
    tick.tick()
    d.refresh_from_db()
    assert (d.attempts, d.next_attempt_at) == (2, now + dt.timedelta(minutes=3))
    assert d.last_error.startswith("robot refused")
    # after that: delivered, and the log keeps all three attempts
    monkeypatch.setattr("gongjian.core.clock.now", lambda: now + dt.timedelta(minutes=3))
    assert tick.tick().deliveries_sent == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 3)
    assert [e["error"][:8] for e in d.log] == ["HTTP 500", "robot re", ""]
    assert len(robot.received) == 3


def test_after_the_last_attempt_a_delivery_is_kept_as_failed_and_can_be_requeued(
    org, set_today, monkeypatch
):
    # an address where nothing listens
    UnitWebhook.objects.create(unit=org.hunan, kind="dingtalk", url="http://127.0.0.1:9/robot")
    overdue_reminder(org, set_today)
    now = timezone.now()
    for i in range(webhooks.MAX_ATTEMPTS):
        monkeypatch.setattr("gongjian.core.clock.now", lambda i=i: now + dt.timedelta(days=i))
        tick.tick()
    d = WebhookDelivery.objects.get()
    assert (d.status, d.attempts, len(d.log)) == ("failed", webhooks.MAX_ATTEMPTS, 8)
    webhooks.requeue(d)
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("pending", 0)


def test_backoff_doubles_and_is_capped_at_a_day():
    assert [webhooks.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert webhooks.backoff(30) == dt.timedelta(days=1)


def test_no_webhook_no_delivery_and_an_inactive_one_is_skipped(org, set_today):
    UnitWebhook.objects.create(
        unit=org.hunan, kind="wecom", url="http://127.0.0.1:9/", is_active=False
    )
    overdue_reminder(org, set_today)
    tick.tick(deliver=False)
    assert WebhookDelivery.objects.count() == 0


def at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("gongjian.core.clock.now", lambda: moment)


def test_a_reminder_sent_by_hand_reaches_the_robot_right_after_its_commit(
    org, set_today, robot, django_capture_on_commit_callbacks
):
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url)
    order = overdue_reminder(org, set_today)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_reminder(order, "manual", "1", "请于今日反馈进度", actor=org.office)
        assert robot.received == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert robot.received == [{"msgtype": "text", "text": {"content": "请于今日反馈进度"}}]
    assert WebhookDelivery.objects.get().status == "sent"


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_messages_within_a_minute_of_the_last_one_fold_into_one_markdown_digest(
    org, robot, monkeypatch, kind
):
    UnitWebhook.objects.create(unit=org.hunan, kind=kind, url=robot.url)
    t0 = timezone.now()
    at(monkeypatch, t0)
    webhooks.enqueue(org.hunan, "第一条")
    assert webhooks.deliver_due() == (1, 0)
    at(monkeypatch, t0 + dt.timedelta(seconds=10))
    for text in ("第二条", "第三条", "第四条"):
        webhooks.enqueue(org.hunan, text)
    # within the minute: they wait for it, none goes alone
    assert webhooks.deliver_due() == (0, 0)
    assert len(robot.received) == 1
    waiting = list(WebhookDelivery.objects.filter(status="pending"))
    assert {d.next_attempt_at for d in waiting} == {t0 + dt.timedelta(seconds=60)}
    at(monkeypatch, t0 + dt.timedelta(seconds=60))
    assert webhooks.deliver_due() == (3, 0)
    assert len(robot.received) == 2
    digest = robot.received[1]
    assert digest["msgtype"] == "markdown"
    text = digest["markdown"]["text" if kind == "dingtalk" else "content"]
    assert text == "### 督办推送汇总（3 条）\n\n- 第二条\n- 第三条\n- 第四条"
    if kind == "dingtalk":
        assert digest["markdown"]["title"] == "督办推送汇总（3 条）"
    logs = [e["digest_of"] for d in waiting for e in WebhookDelivery.objects.get(pk=d.pk).log]
    assert logs == [3, 3, 3]
    assert list(RobotPost.objects.order_by("at").values_list("messages", "error")) == [
        (1, ""),
        (3, ""),
    ]


def test_a_tick_sends_each_robot_its_reminders_as_one_digest(org, set_today, robot):
    UnitWebhook.objects.create(unit=org.hunan, kind="dingtalk", url=robot.url)
    codes = [make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3)).code]
    codes += [make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 2)).code]
    set_today(dt.date(2026, 12, 4))
    report = tick.tick()
    assert (report.reminders, report.deliveries_sent) == (2, 2)
    assert len(robot.received) == 1
    text = robot.received[0]["markdown"]["text"]
    assert all(f"督办单 {code}" in text for code in codes)


def test_a_robot_gets_at_most_its_rate_a_minute_and_long_digests_are_split(
    org, robot, monkeypatch, settings
):
    settings.GONGJIAN_ROBOT_FOLD_SECONDS = 0
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url, rate_per_minute=2)
    t0 = timezone.now()
    at(monkeypatch, t0)
    # 1,500 bytes each: two fit in a 4,000-byte markdown digest, three do not
    for n in range(5):
        webhooks.enqueue(org.hunan, f"{n}" + "督" * 500)
    assert webhooks.deliver_due() == (4, 0)  # two digests of two: the robot's 2 a minute
    assert [len(m["markdown"]["content"].encode()) < 4000 for m in robot.received] == [True] * 2
    left = WebhookDelivery.objects.get(status="pending")
    assert left.next_attempt_at == t0 + dt.timedelta(minutes=1)
    assert text_first_chars(left) == "4"
    at(monkeypatch, t0 + dt.timedelta(seconds=59))
    assert webhooks.deliver_due() == (0, 0)
    at(monkeypatch, t0 + dt.timedelta(minutes=1))
    assert webhooks.deliver_due() == (1, 0)
    assert robot.received[2] == {"msgtype": "text", "text": {"content": "4" + "督" * 500}}


def text_first_chars(delivery: WebhookDelivery) -> str:
    return webhooks.text_of(delivery.payload)[:1]


def test_the_default_rate_is_20_a_minute(org, robot, monkeypatch, settings):
    settings.GONGJIAN_ROBOT_FOLD_SECONDS = 0
    hook = UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url)
    assert webhooks.rate_of(hook) == 20
    t0 = timezone.now()
    for i in range(21):
        at(monkeypatch, t0 + dt.timedelta(seconds=i))
        webhooks.enqueue(org.hunan, f"消息{i}")
        webhooks.deliver_due()
    assert len(robot.received) == 20
    assert WebhookDelivery.objects.get(status="pending").next_attempt_at == t0 + dt.timedelta(
        minutes=1
    )


def test_a_refused_digest_is_logged_on_each_message_and_retried_with_backoff(
    org, robot, monkeypatch
):
    UnitWebhook.objects.create(unit=org.hunan, kind="dingtalk", url=robot.url)
    robot.replies = [(200, {"errcode": 130101, "errmsg": "send too fast"})]
    t0 = timezone.now()
    at(monkeypatch, t0)
    for text in ("甲", "乙", "丙"):
        webhooks.enqueue(org.hunan, text)
    assert webhooks.deliver_due() == (0, 3)
    rows = list(WebhookDelivery.objects.order_by("pk"))
    assert {(d.status, d.attempts, d.next_attempt_at) for d in rows} == {
        ("pending", 1, t0 + dt.timedelta(minutes=1))
    }
    assert all("130101" in d.last_error and "130101" in d.log[0]["error"] for d in rows)
    assert RobotPost.objects.get().error.startswith("robot refused")
    at(monkeypatch, t0 + dt.timedelta(minutes=1))
    assert webhooks.deliver_due() == (3, 0)
    assert len(robot.received) == 2
    assert robot.received[0] == robot.received[1]  # the same digest, sent again


def test_gongjian_deliver_sends_the_outbox(org, robot, capsys):
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url)
    webhooks.enqueue(org.hunan, "待发送")
    call_command("deliver")
    assert "成功 1 条，失败 0 条" in capsys.readouterr().out
    assert len(robot.received) == 1


def test_the_daily_light_digest_goes_to_robots_only_when_configured(org, set_today, settings):
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url="http://127.0.0.1:9/")
    order = overdue_reminder(org, set_today)
    tick.tick(deliver=False)
    assert list(WebhookDelivery.objects.values_list("topic", flat=True)) == ["reminder"]
    settings.GONGJIAN_ROBOT_LIGHT_DIGEST = True
    tick.tick(deliver=False)
    tick.tick(deliver=False)  # once a day
    lights = WebhookDelivery.objects.get(topic="lights")
    assert lights.period_key == "2026-12-04"
    assert webhooks.text_of(lights.payload).startswith("督办亮灯提醒（2026-12-04）：\n红灯")
    assert order.code in webhooks.text_of(lights.payload)


def test_the_office_sees_its_own_robots_requests_in_the_admin_and_no_others(client, org):
    from tests.factories import PASSWORD

    mine = UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url="http://127.0.0.1:9/a")
    other = UnitWebhook.objects.create(unit=org.gulou, kind="wecom", url="http://127.0.0.1:9/b")
    now = timezone.now()
    RobotPost.objects.create(webhook=mine, at=now, messages=3, error="HTTP 502")
    RobotPost.objects.create(webhook=other, at=now, messages=1, error="HTTP 418")
    org.office.is_staff = True
    org.office.save()
    client.login(username="office", password=PASSWORD)
    body = client.get("/admin/supervision/robotpost/").content.decode()
    assert "HTTP 502" in body
    assert "HTTP 418" not in body


def test_a_background_delivery_that_fails_is_logged_and_leaves_the_message_queued(
    org, settings, monkeypatch, caplog
):
    settings.GONGJIAN_ROBOT_DELIVERY = "thread"
    hook = UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url="http://127.0.0.1:9/")
    with webhooks.held():
        webhooks.enqueue(org.hunan, "稍后再发")

    def broken(**kwargs: object) -> None:
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(webhooks, "deliver_due", broken)
    thread = webhooks.start_delivery([hook.pk])

    assert thread is not None and thread.daemon
    thread.join(10)
    assert not thread.is_alive()
    assert "background delivery failed" in caplog.text
    assert "数据库连接中断" in caplog.text
    assert WebhookDelivery.objects.get().status == "pending"  # the outbox keeps it for the retry


def test_a_sender_that_died_frees_its_robot_once_its_lease_is_over(org, robot, monkeypatch):
    hook = UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=robot.url)
    t0 = timezone.now()
    at(monkeypatch, t0)
    # a sender took the robot and died without a word
    UnitWebhook.objects.filter(pk=hook.pk).update(sending_until=t0 + webhooks.lease_for(hook))
    webhooks.enqueue(org.hunan, "等待中")
    assert webhooks.deliver_due() == (0, 0)  # the robot is taken
    assert robot.received == []
    at(monkeypatch, t0 + webhooks.lease_for(hook))
    assert webhooks.deliver_due() == (1, 0)
    assert len(robot.received) == 1
    assert UnitWebhook.objects.get().sending_until is None
