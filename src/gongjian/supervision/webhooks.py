"""Messages pushed to a unit's group robot (企业微信 / 钉钉), through an outbox, within the
robots' limits.

A message is a `WebhookDelivery` row written in the same transaction as the reminder (so none
is lost). Once that transaction commits, the sender is kicked for the robots concerned
(`on_commit`): in a background thread of its own (settings.GONGJIAN_ROBOT_DELIVERY = "thread",
the default), so the user's request answers without waiting for a robot (up to
`TIMEOUT_SECONDS` each); "inline" sends within the request, as the tests that assert on what a
robot received do. The outbox row stays the truth: a thread that dies loses nothing, and
`gongjian tick` and `gongjian deliver` (every minute) send what is left. Per robot, one sender
at a time: a sender first takes the robot's lease (`UnitWebhook.sending_until`, one UPDATE that
only one sender can win) and holds no database lock while it waits for the robot, so on SQLite
the request's own writes and everyone else's go on meanwhile;

- at most `GONGJIAN_ROBOT_RATE_PER_MINUTE` requests (or the robot's own `rate_per_minute`) in
  any 60 seconds, the limit DingTalk and WeCom publish (20); past it, messages wait;
- messages that arrive within `GONGJIAN_ROBOT_FOLD_SECONDS` of the robot's last request wait
  until then and go together: several due messages fold into one markdown digest (split so no
  digest passes the robots' 4096-byte markdown limit);
- a refusal (HTTP error, `errcode` ≠ 0, no answer) is logged on every row and on the request
  (`RobotPost`), and retried with exponential backoff (1, 2, 4 ... minutes); after
  `MAX_ATTEMPTS` the row is marked failed, stays in the log, and can be re-queued from the admin.

Both robots take the same text message, `{"msgtype": "text", "text": {"content": "..."}}`, and
answer `{"errcode": 0, "errmsg": "ok"}`; their markdown messages differ (see `digest_payload`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.org.models import Unit
from gongjian.supervision.models import (
    DeliveryStatus,
    DeliveryTopic,
    Reminder,
    RobotPost,
    UnitWebhook,
    WebhookDelivery,
    WebhookKind,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
THREAD_NAME = "gongjian-robots"
WINDOW = dt.timedelta(minutes=1)
# WeCom refuses markdown content over 4096 bytes (UTF-8); DingTalk allows more. Keep under both.
MAX_DIGEST_BYTES = 4000

_held = threading.local()


def payload_for(kind: str, text: str) -> dict[str, Any]:
    """The robot message; WeCom and DingTalk share the `text` shape."""
    if kind not in WebhookKind.values:
        raise ValueError(kind)
    return {"msgtype": "text", "text": {"content": text}}


def digest_payload(kind: str, texts: list[str]) -> dict[str, Any]:
    """Several messages as one markdown message, in the robot's own markdown shape."""
    title = _("督办推送汇总（%(n)s 条）") % {"n": len(texts)}
    content = _digest_markdown(title, texts)
    if kind == WebhookKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    if kind == WebhookKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": content}}
    raise ValueError(kind)


def _digest_markdown(title: str, texts: list[str]) -> str:
    items = ["- " + text.strip().replace("\n", "\n  ") for text in texts]
    return f"### {title}\n\n" + "\n".join(items)


def text_of(payload: dict[str, Any]) -> str:
    return str(payload.get("text", {}).get("content", ""))


def enqueue(
    unit: Unit,
    text: str,
    *,
    reminder: Reminder | None = None,
    topic: str = DeliveryTopic.REMINDER,
    period_key: str = "",
) -> list[WebhookDelivery]:
    """Queue `text` for each of the unit's active robots; sending starts after the commit."""
    now = clock.now()
    rows = [
        WebhookDelivery(
            webhook=hook,
            reminder=reminder,
            topic=topic,
            period_key=period_key,
            payload=payload_for(hook.kind, text),
            next_attempt_at=now,
            created_at=now,
        )
        for hook in UnitWebhook.objects.filter(unit=unit, is_active=True)
    ]
    created = WebhookDelivery.objects.bulk_create(rows)
    if created:
        kick({row.webhook_id for row in created})
    return created


def kick(webhook_ids: Iterable[int]) -> None:
    """Start sending to these robots once the current transaction commits (unless held)."""
    ids = sorted(set(webhook_ids))
    if getattr(_held, "depth", 0):
        return  # the holder (tick) sends everything at its end, as digests where many
    transaction.on_commit(lambda: start_delivery(ids), robust=True)


def start_delivery(webhook_ids: list[int]) -> threading.Thread | None:
    """Send to these robots now: off the request in a daemon thread (returned), or inline."""
    if settings.GONGJIAN_ROBOT_DELIVERY == "inline":
        deliver_due(webhook_ids=webhook_ids)
        return None
    thread = threading.Thread(
        target=_deliver_in_background, args=(webhook_ids,), name=THREAD_NAME, daemon=True
    )
    thread.start()
    return thread


def _deliver_in_background(webhook_ids: list[int]) -> None:
    """A thread's delivery, on its own database connection (closed at the end): a failure is
    logged, never raised; the rows it did not send wait for the next sender."""
    try:
        deliver_due(webhook_ids=webhook_ids)
    except Exception:
        log.exception(
            "robots %s: background delivery failed; the outbox keeps the messages", webhook_ids
        )
    finally:
        connections.close_all()


@contextmanager
def held() -> Iterator[None]:
    """No kick inside the block: `gongjian tick` queues a morning's reminders first, so that each
    robot receives them as one digest at the end, not the first few one by one."""
    _held.depth = getattr(_held, "depth", 0) + 1
    try:
        yield
    finally:
        _held.depth -= 1


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most a day."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def rate_of(hook: UnitWebhook) -> int:
    return hook.rate_per_minute or settings.GONGJIAN_ROBOT_RATE_PER_MINUTE


def deliver_due(limit: int = 500, webhook_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send every robot its due messages within its limits; returns (messages sent, messages
    whose attempt failed)."""
    now = clock.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if webhook_ids is not None:
        due = due.filter(webhook_id__in=list(webhook_ids))
    hooks = sorted(set(due.values_list("webhook_id", flat=True)))
    sent = failed = 0
    for hook_id in hooks:
        s, f = _send_to_robot(hook_id, limit)
        sent, failed = sent + s, failed + f
    return sent, failed


def lease_for(hook: UnitWebhook) -> dt.timedelta:
    """How long a sender may keep a robot: its longest round, one post per allowed message at
    most TIMEOUT_SECONDS each, and one more. A sender that died frees the robot after that."""
    return dt.timedelta(seconds=TIMEOUT_SECONDS * (rate_of(hook) + 1))


def _claim(hook_id: int, now: dt.datetime) -> UnitWebhook | None:
    """Take the robot for this sender, or None when another sender has it (or it is gone).
    One conditional UPDATE: of two senders at once, the database lets exactly one match."""
    hook = UnitWebhook.objects.filter(pk=hook_id).first()
    if hook is None:
        return None
    until = now + lease_for(hook)
    free = Q(sending_until__isnull=True) | Q(sending_until__lte=now)
    if not UnitWebhook.objects.filter(free, pk=hook_id).update(sending_until=until):
        return None
    hook.sending_until = until
    return hook


def _release(hook: UnitWebhook) -> None:
    UnitWebhook.objects.filter(pk=hook.pk, sending_until=hook.sending_until).update(
        sending_until=None
    )


def _send_to_robot(hook_id: int, limit: int) -> tuple[int, int]:
    now = clock.now()
    hook = _claim(hook_id, now)
    if hook is None:  # another sender has this robot now
        return 0, 0
    try:
        return _send_claimed(hook, limit, now)
    finally:
        _release(hook)


def _send_claimed(hook: UnitWebhook, limit: int, now: dt.datetime) -> tuple[int, int]:
    due = list(
        WebhookDelivery.objects.filter(
            webhook=hook, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")[:limit]
    )
    if not due:
        return 0, 0
    posts = list(
        RobotPost.objects.filter(webhook=hook, at__gt=now - WINDOW)
        .order_by("at")
        .values_list("at", flat=True)
    )
    fold = dt.timedelta(seconds=settings.GONGJIAN_ROBOT_FOLD_SECONDS)
    if posts and posts[-1] + fold > now:
        _postpone(due, posts[-1] + fold)  # they will go together, as one digest
        return 0, 0
    sent = failed = 0
    batches = [due] if len(due) == 1 else _digests(due)
    for i, rows in enumerate(batches):
        if len(posts) >= rate_of(hook):
            _postpone([r for batch in batches[i:] for r in batch], posts[-rate_of(hook)] + WINDOW)
            break
        error = _post_batch(hook, rows, now)
        posts.append(now)
        if error is None:
            sent += len(rows)
        else:
            failed += len(rows)
            break  # the robot refused: the rest wait for the retry instead of being refused too
    return sent, failed


def _digests(rows: list[WebhookDelivery]) -> list[list[WebhookDelivery]]:
    """Split rows into groups whose digest stays under MAX_DIGEST_BYTES (one row at least)."""
    groups: list[list[WebhookDelivery]] = [[]]
    for row in rows:
        trial = [*groups[-1], row]
        title = _("督办推送汇总（%(n)s 条）") % {"n": len(trial)}
        size = len(_digest_markdown(title, [text_of(r.payload) for r in trial]).encode())
        if groups[-1] and size > MAX_DIGEST_BYTES:
            groups.append([row])
        else:
            groups[-1] = trial
    return groups


def _post_batch(hook: UnitWebhook, rows: list[WebhookDelivery], now: dt.datetime) -> str | None:
    if len(rows) == 1:
        payload = rows[0].payload
    else:
        payload = digest_payload(hook.kind, [text_of(r.payload) for r in rows])
    error = post(hook.url, payload)  # outside any transaction: no lock while the robot thinks
    _record(hook, rows, now, error)
    if error is None:
        log.info("robot %s: %s message(s) delivered", hook.pk, len(rows))
    elif any(r.status == DeliveryStatus.FAILED for r in rows):
        log.error("robot %s: %s message(s) failed for good: %s", hook.pk, len(rows), error)
    else:
        log.warning("robot %s: %s message(s) refused, retrying: %s", hook.pk, len(rows), error)
    return error


@transaction.atomic
def _record(
    hook: UnitWebhook, rows: list[WebhookDelivery], now: dt.datetime, error: str | None
) -> None:
    """The request to the robot and each message's attempt, together."""
    RobotPost.objects.create(webhook=hook, at=now, messages=len(rows), error=error or "")
    for row in rows:
        row.attempts += 1
        entry = {"at": now.isoformat(), "attempt": row.attempts, "error": error or ""}
        if len(rows) > 1:
            entry["digest_of"] = len(rows)
        row.log = [*row.log, entry]
        if error is None:
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, ""
        else:
            row.last_error = error
            if row.attempts >= MAX_ATTEMPTS:
                row.status = DeliveryStatus.FAILED
            else:
                row.next_attempt_at = now + backoff(row.attempts)
    WebhookDelivery.objects.bulk_update(
        rows, ["attempts", "log", "status", "sent_at", "last_error", "next_attempt_at"]
    )


def _postpone(rows: list[WebhookDelivery], until: dt.datetime) -> None:
    WebhookDelivery.objects.filter(pk__in=[r.pk for r in rows], next_attempt_at__lt=until).update(
        next_attempt_at=until
    )


def requeue(delivery: WebhookDelivery) -> None:
    """Put a failed delivery back in the queue (admin action)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now()
    )
    kick([delivery.webhook_id])


def post(url: str, payload: dict[str, Any]) -> str | None:
    """POST the message; None when the robot accepted it, else what went wrong."""
    if not url.startswith(("http://", "https://")):
        return "unsupported URL scheme"
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            text = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    try:
        answer = json.loads(text)
    except ValueError:
        return f"not JSON: {text[:200]}"
    if not isinstance(answer, dict) or answer.get("errcode", -1) != 0:
        return f"robot refused: {text[:200]}"
    return None
