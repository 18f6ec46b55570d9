"""Reminders pushed to a unit's group robot (企业微信 / 钉钉), through a delivery log.

Both robots take the same text message: `{"msgtype": "text", "text": {"content": "..."}}` POSTed
as JSON, and answer `{"errcode": 0, "errmsg": "ok"}` when they accept it. Each message is a
`WebhookDelivery` row written in the same transaction as the reminder (so none is lost); `gongjian
tick` sends the rows that are due. A failure is logged on the row and retried with exponential
backoff (1, 2, 4 ... minutes); after `MAX_ATTEMPTS` the row is marked failed, stays in the log, and
can be put back in the queue from the admin.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.db import transaction

from gongjian.core import clock
from gongjian.org.models import Unit
from gongjian.supervision.models import (
    DeliveryStatus,
    Reminder,
    UnitWebhook,
    WebhookDelivery,
    WebhookKind,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5


def payload_for(kind: str, text: str) -> dict[str, Any]:
    """The robot message; WeCom and DingTalk share the `text` shape."""
    if kind not in WebhookKind.values:
        raise ValueError(kind)
    return {"msgtype": "text", "text": {"content": text}}


def enqueue(unit: Unit, text: str, *, reminder: Reminder | None = None) -> list[WebhookDelivery]:
    now = clock.now()
    rows = [
        WebhookDelivery(
            webhook=hook,
            reminder=reminder,
            payload=payload_for(hook.kind, text),
            next_attempt_at=now,
            created_at=now,
        )
        for hook in UnitWebhook.objects.filter(unit=unit, is_active=True)
    ]
    return WebhookDelivery.objects.bulk_create(rows)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most a day."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def deliver_due(limit: int = 500) -> tuple[int, int]:
    """Try every pending delivery whose time has come; returns (sent, failed attempts)."""
    now = clock.now()
    ids = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = failed = 0
    for pk in ids:
        ok = _attempt(pk)
        if ok is True:
            sent += 1
        elif ok is False:
            failed += 1
    return sent, failed


@transaction.atomic
def _attempt(pk: int) -> bool | None:
    row = (
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .select_related("webhook")
        .filter(pk=pk, status=DeliveryStatus.PENDING)
        .first()
    )
    if row is None:  # another worker has it, or it is done
        return None
    now = clock.now()
    row.attempts += 1
    error = post(row.webhook.url, row.payload)
    entry = {"at": now.isoformat(), "attempt": row.attempts, "error": error or ""}
    row.log = [*row.log, entry]
    if error is None:
        row.status = DeliveryStatus.SENT
        row.sent_at = now
        row.last_error = ""
        log.info("webhook %s delivered on attempt %s", row.pk, row.attempts)
    else:
        row.last_error = error
        if row.attempts >= MAX_ATTEMPTS:
            row.status = DeliveryStatus.FAILED
            log.error("webhook %s failed %s times, giving up: %s", row.pk, row.attempts, error)
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            log.warning("webhook %s attempt %s failed: %s", row.pk, row.attempts, error)
    row.save()
    return error is None


def requeue(delivery: WebhookDelivery) -> None:
    """Put a failed delivery back in the queue (admin action)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now()
    )


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
