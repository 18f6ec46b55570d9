"""Reminders pushed to a unit's group robot: the JSON shape, retries with backoff, and the log.

The robot is a local HTTP server on 127.0.0.1 started by the test; nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from gongjian.supervision import tick, webhooks
from gongjian.supervision.flow import State
from gongjian.supervision.models import UnitWebhook, WebhookDelivery
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
