"""Raw saves (`loaddata`, a restore from fixtures) skip `Model.save()`, and with it the checks
that keep published records unchanged. Django still sends `pre_save` with raw=True: a model
that guards its rows names the same check `refuse_raw_save()`, and it runs here for raw saves.
`loaddata` runs in one transaction, so one refused row leaves the database as it was."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save


def _guard(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        return
    check = getattr(instance, "refuse_raw_save", None)
    if check is not None:
        check()


def connect() -> None:
    pre_save.connect(_guard, dispatch_uid="gongjian.core.raw_guard")
