"""Every project's warning on the ledger benchmark's date, as JSON: to compare two versions.

    DJANGO_SETTINGS_MODULE=gongjian.settings GONGJIAN_VAR=var/bench \\
    DATABASE_URL=sqlite:///var/bench/ledger.sqlite3 \\
        .venv/bin/python -m bench.warnings_dump out.json [--list]

Writes {project id: [colour, reasons, percent done, 序时进度, gap, forecast, at risk, rules]}
(numbers and dates as text) for `warnings_for(Project.objects.all(), 2026-12-31)`, or with
`--list` for lists of 5,000 project instances at a time, as the battle map's snapshot passes
them. Run it with one checkout's `src` on PYTHONPATH, then the other's, and compare the files
(`cmp`): the warnings of the whole generated world, byte for byte.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def main(out: str, as_list: bool) -> None:
    import django

    django.setup()
    from bench.bench_ledger import ON
    from gongjian.projects.models import Project
    from gongjian.projects.warning_feed import warnings_for

    start = time.perf_counter()
    if as_list:
        found = {}
        ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), 5000):
            batch = Project.objects.filter(pk__in=ids[i : i + 5000]).select_related("campaign")
            found.update(warnings_for(list(batch), ON))
    else:
        found = warnings_for(Project.objects.all(), ON)
    print(f"{len(found)} warnings in {time.perf_counter() - start:.2f} s", file=sys.stderr)

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    rows = {
        pk: [
            w.colour.value,
            list(w.reasons),
            text(w.percent_done),
            text(w.expected_percent),
            text(w.gap),
            text(w.forecast_completion),
            w.at_risk,
            list(w.rules),
        ]
        for pk, w in sorted(found.items())
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main(sys.argv[1], "--list" in sys.argv[2:])
