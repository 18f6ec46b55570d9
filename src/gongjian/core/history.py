"""Who did what: every service write records its actor and reason in the model's history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.manager import HistoryDescriptor

M = TypeVar("M", bound=Model)
CHUNK = 5000


def record(instance: Any, *, actor: Any, reason: str) -> None:
    """Attach actor and reason so the next save's historical row carries them."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance._change_reason = reason


class _ManagerBuiltOnce(HistoryDescriptor):
    """simple-history's `history` descriptor with its manager class built once: the library
    builds it (`from_queryset`, which walks the queryset's members) at every access, and every
    historical row a save writes reads it, about 0.3 ms of a report's 12 ms."""

    def __init__(self, original: HistoryDescriptor) -> None:
        super().__init__(
            original.model, manager=original.manager_class, queryset=original.queryset_class
        )
        self.built = original.manager_class.from_queryset(original.queryset_class)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self.built(self.model, instance)


def build_history_managers_once() -> None:
    """At start-up (core's `ready`, every model loaded): each model's history descriptors
    replaced by ones that build their manager class once."""
    for model in apps.get_models():
        for name, attr in list(vars(model).items()):
            if type(attr) is HistoryDescriptor:
                setattr(model, name, _ManagerBuiltOnce(attr))


def bulk_create_with_history(
    objs: Sequence[M], model: type[M], *, user: Any, reason: str, batch_size: int = 2000
) -> list[M]:
    """Insert many rows and their "created" history rows, as django-simple-history's
    `bulk_create_with_history` does with a default user and change reason.

    The history rows are copied from the rows just inserted by one INSERT … SELECT per chunk of
    primary keys, in key order, instead of building a historical instance per row in Python
    (half the time of a 50,000-row import). Databases that return no keys from a bulk insert
    fall back to the library.
    """
    from simple_history.utils import bulk_create_with_history as library

    if not connection.features.can_return_rows_from_bulk_insert:
        return list(
            library(
                objs, model, batch_size=batch_size, default_user=user,
                default_change_reason=reason,
            )
        )  # fmt: skip
    history: Any = model.history.model  # type: ignore[attr-defined]
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        if not created:
            return created
        if user is None:
            user = history.get_default_history_user(created[0])
        _copy_into_history(history, [o.pk for o in created], user=user, reason=reason, kind="+")
    return created


def save_with_history(instance: Model, *, update_fields: Sequence[str] | None = None) -> None:
    """`instance.save()` and its history row, copied in SQL from the row just written (one
    INSERT … SELECT, as `bulk_create_with_history` does) instead of simple-history building a
    historical instance in Python, which was about 15 % of a progress report's request (it
    writes two).
    The row says what simple-history's would: "+" or "~", the actor and reason `record`
    attached (else the request's user, as the library finds it), the time of the save."""
    history: Any = type(instance).history.model  # type: ignore[attr-defined]
    kind = "+" if instance._state.adding else "~"
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        instance.save(update_fields=update_fields)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    _copy_into_history(
        history,
        [instance.pk],
        user=history.get_default_history_user(instance),
        reason=getattr(instance, "_change_reason", None),
        kind=kind,
    )


def _copy_into_history(
    history: Any, pks: list[Any], *, user: Any, reason: str | None, kind: str
) -> None:
    source = history.instance_type._meta
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in history.tracked_fields)
    own = ", ".join(
        q(history._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    date = history._meta.get_field("history_date").get_db_prep_value(timezone.now(), connection)
    extra = [date, reason, kind, getattr(user, "pk", None)]
    pk = q(source.pk.column)
    # Only names from the models' metadata go into the SQL; every value is a parameter.
    insert = (
        f"INSERT INTO {q(history._meta.db_table)} ({columns}, {own}) "  # noqa: S608
        f"SELECT {columns}, %s, %s, %s, %s FROM {q(source.db_table)} "
        f"WHERE {pk} IN ({{marks}}) ORDER BY {pk}"
    )
    size = min(CHUNK, (connection.features.max_query_params or CHUNK) - len(extra))
    with connection.cursor() as cursor:
        for i in range(0, len(pks), size):
            chunk = sorted(pks[i : i + size])
            cursor.execute(insert.format(marks=", ".join(["%s"] * len(chunk))), [*extra, *chunk])
