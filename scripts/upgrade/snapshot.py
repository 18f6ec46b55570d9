"""Every row of an SQLite database and every media file, as canonical JSON, for upgrade-check.

    python scripts/upgrade/snapshot.py DB MEDIA OUT.json
    python scripts/upgrade/snapshot.py --compare BEFORE.json AFTER.json

Plain sqlite3, no Django: the same script reads the database the previous release wrote and the
one the new code migrated. Values are kept as SQLite returns them (bytes as hex), so "identical"
means byte-identical. The comparison: every table of before is in after; every row of before
(by primary key) is in after with the same value in each column it had (new columns may be
added; new rows only in Django's bookkeeping tables); every media file has the same digest.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

GROWING = {"django_migrations", "django_content_type", "auth_permission"}


def _value(v: Any) -> Any:
    return {"hex": v.hex()} if isinstance(v, bytes) else v


def snapshot(db: Path, media: Path) -> dict[str, Any]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables: dict[str, Any] = {}
    names = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    for name in names:
        info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
        columns = [c[1] for c in info]
        key = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] or ["rowid"]
        order = ", ".join(f'"{k}"' if k != "rowid" else k for k in key)
        keyed = ", ".join(f'"{k}"' if k != "rowid" else k for k in key)
        rows = con.execute(f'SELECT {keyed}, * FROM "{name}" ORDER BY {order}').fetchall()  # noqa: S608
        tables[name] = {
            "columns": columns,
            "rows": {
                json.dumps([_value(v) for v in r[: len(key)]]): [_value(v) for v in r[len(key) :]]
                for r in rows
            },
        }
    con.close()
    files = {
        str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }
    return {"tables": tables, "media": files}


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    checked = history = 0
    for name, old in before["tables"].items():
        new = after["tables"].get(name)
        if new is None:
            problems.append(f"{name}: 表在升级后不存在")
            continue
        lost = [c for c in old["columns"] if c not in new["columns"]]
        if lost:
            problems.append(f"{name}: 列在升级后不存在：{', '.join(lost)}")
            continue
        where = [new["columns"].index(c) for c in old["columns"]]
        for key, values in old["rows"].items():
            row = new["rows"].get(key)
            if row is None:
                problems.append(f"{name} {key}: 行在升级后丢失")
            elif [row[i] for i in where] != values:
                changed = [
                    c for c, i, v in zip(old["columns"], where, values, strict=True) if row[i] != v
                ]
                problems.append(f"{name} {key}: 升级后改变了 {', '.join(changed)}")
        extra = len(new["rows"]) - len(old["rows"])
        if extra > 0 and name not in GROWING:
            problems.append(f"{name}: 升级后多了 {extra} 行")
        checked += len(old["rows"])
        history += len(old["rows"]) if name.split("_", 1)[-1].startswith("historical") else 0
    for path, digest in before["media"].items():
        if after["media"].get(path) != digest:
            problems.append(f"附件 {path}: 升级后丢失或改变")
    print(
        f"upgrade-check: {len(before['tables'])} 张表、{checked} 行（其中历史记录 {history} 行）、"
        f"{len(before['media'])} 个附件逐字节比对"
    )
    return problems


def main(argv: list[str]) -> int:
    if argv[0] == "--compare":
        before, after = (json.loads(Path(p).read_text()) for p in argv[1:3])
        problems = compare(before, after)
        for problem in problems[:50]:
            print("  " + problem, file=sys.stderr)
        return 1 if problems else 0
    Path(argv[2]).write_text(json.dumps(snapshot(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
