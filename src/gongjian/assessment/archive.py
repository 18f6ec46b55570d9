"""What a restore must bring back byte for byte: every published round and its results."""

from __future__ import annotations

import hashlib
import json

from django.core import serializers
from django.db import connection

from gongjian.assessment.models import Round, RoundState, UnitResult


def published_rounds_digest() -> dict[str, str]:
    """For each published round (`<pk> <period> 第<edition>版`), a SHA-256 of the round and
    its results as Django serializes them."""
    digests: dict[str, str] = {}
    if Round._meta.db_table not in connection.introspection.table_names():
        return digests  # a database not migrated (yet): no round at all
    for round_ in Round.objects.filter(state=RoundState.PUBLISHED).order_by("pk"):
        results = UnitResult.objects.filter(round=round_).order_by("unit_id", "pk")
        data = serializers.serialize("json", [round_, *results])
        canonical = json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False)
        key = f"{round_.pk} {round_.period} 第{round_.edition}版"
        digests[key] = hashlib.sha256(canonical.encode()).hexdigest()
    return digests
