"""Robot delivery off the request (supervision/webhooks.py, GONGJIAN_ROBOT_DELIVERY="thread"):
a request that queues a message answers while the robot is still holding it, the message then
arrives, two senders at once send it once, and on SQLite neither the request's writes nor the
sender's meet a locked database.

The rows must be committed for the senders' threads (each on its own connection) to see them:
on PostgreSQL the test database in transactional mode; on SQLite, whose in-memory test database
cannot host two writing connections, a copy of its schema in a file (WAL, the site's busy
timeout), as a deployment runs. The robot is a local HTTP server that holds each request until
the test lets it answer: a robot slower than any request, without timing anything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.test import Client

from gongjian.supervision import webhooks
from gongjian.supervision.flow import State
from gongjian.supervision.models import RobotPost, UnitWebhook, WebhookDelivery
from tests.supervision.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)


class HeldRobot:
    """A group robot that takes each message and answers only once `release` is set."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append(json.loads(body))
                robot.arrived.set()
                robot.release.wait(30)
                data = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _senders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == webhooks.THREAD_NAME]


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def committed_database(django_db_blocker: Any) -> Iterator[None]:
    """The default database as the threads see it (the module's docstring says why a file)."""
    memory = connections["default"]
    if memory.vendor != "sqlite":
        yield
        return
    saved = connections.settings["default"]
    path = Path(django_settings.VAR_DIR) / f"robots-{os.getpid()}.sqlite3"
    with django_db_blocker.unblock():
        memory.ensure_connection()
        path.unlink(missing_ok=True)
        copy = sqlite3.connect(path)
        memory.connection.backup(copy)
        copy.close()
        on_file = {**saved, "NAME": str(path)}
        connections.settings["default"] = on_file  # the threads' connections
        connections["default"] = memory.__class__(on_file, "default")  # this thread's
        try:
            yield
        finally:
            for sender in _senders():
                sender.join(30)
            connections["default"].close()
            connections["default"] = memory
            connections.settings["default"] = saved
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture
def held_robot(settings: Any) -> Iterator[HeldRobot]:
    settings.GONGJIAN_ROBOT_DELIVERY = "thread"
    robot = HeldRobot()
    yield robot
    robot.close()
    for sender in _senders():
        sender.join(30)


def test_a_request_that_kicks_a_slow_robot_answers_first_and_the_message_still_arrives(
    committed_database: None, org: Any, held_robot: HeldRobot
) -> None:
    UnitWebhook.objects.create(unit=org.hunan, kind="wecom", url=held_robot.url)
    order = make_order(org, state=State.IN_PROGRESS)
    office = Client()
    office.force_login(org.office)

    response = office.post(
        f"/api/supervision/orders/{order.pk}/remind",
        {"text": "请于今日反馈进度"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    # The request is answered while the robot still holds the message: it did not wait.
    assert held_robot.arrived.wait(10), "机器人未收到消息"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    # Meanwhile the site writes on (no lock is held while the robot thinks: SQLite too).
    assert office.post("/i18n/setlang/", {"language": "en"}).status_code == 302
    org.office.refresh_from_db()
    assert org.office.language == "en"

    held_robot.release.set()
    _eventually(
        lambda: WebhookDelivery.objects.get().status == "sent", "消息 30 秒内未标记为已送达"
    )
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (1, "")
    assert held_robot.received == [{"msgtype": "text", "text": {"content": "请于今日反馈进度"}}]
    _eventually(lambda: not _senders(), "发送线程未结束")
    assert UnitWebhook.objects.get().sending_until is None  # the robot is free again


def test_two_kicks_at_once_send_a_message_once(
    committed_database: None, org: Any, held_robot: HeldRobot
) -> None:
    hook = UnitWebhook.objects.create(unit=org.hunan, kind="dingtalk", url=held_robot.url)
    with webhooks.held():
        webhooks.enqueue(org.hunan, "只发一次")

    with transaction.atomic():  # both start at the commit, one thread each
        webhooks.kick([hook.pk])
        webhooks.kick([hook.pk])

    assert held_robot.arrived.wait(10), "机器人未收到消息"
    # The second sender finds the robot taken and ends, while the first still waits for it.
    _eventually(lambda: len(_senders()) == 1, "第二个发送线程未放弃")
    held_robot.release.set()
    _eventually(lambda: not _senders(), "发送线程未结束")

    assert held_robot.received == [{"msgtype": "text", "text": {"content": "只发一次"}}]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert RobotPost.objects.count() == 1
