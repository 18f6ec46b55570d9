"""`make upgrade-check`'s comparison (scripts/upgrade/snapshot.py): what counts as losing
something in an upgrade. The whole check runs in `make test` on the previous release's demo."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("snapshot", ROOT / "scripts/upgrade/snapshot.py")
assert spec and spec.loader
snapshot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(snapshot)


def world(tmp_path: Path, sql: str) -> dict:
    db, media = tmp_path / "db.sqlite3", tmp_path / "media"
    db.unlink(missing_ok=True)
    media.mkdir(exist_ok=True)
    (media / "a.pdf").write_bytes(b"%PDF-1")
    con = sqlite3.connect(db)
    base = (
        "CREATE TABLE r (id INTEGER PRIMARY KEY, score TEXT, blob BLOB);"
        "CREATE TABLE projects_historicalproject (history_id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO r VALUES (1, '95.50', x'00ff'), (2, '88.00', NULL);"
        "INSERT INTO projects_historicalproject VALUES (1, '旧名');"
    )
    con.executescript(base + sql)
    con.commit()
    con.close()
    return snapshot.snapshot(db, media)


def test_an_upgrade_that_only_adds_columns_and_migrations_loses_nothing(tmp_path):
    before = world(tmp_path, "")
    after = world(
        tmp_path,
        "ALTER TABLE r ADD COLUMN note TEXT DEFAULT '';"
        "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO django_migrations VALUES (1, '0005');",
    )
    before["tables"]["django_migrations"] = {"columns": ["id", "name"], "rows": {}}
    assert snapshot.compare(before, after) == []


def test_a_changed_result_a_lost_row_a_lost_column_and_a_changed_file_are_each_named(tmp_path):
    before = world(tmp_path, "")
    after = world(tmp_path, "UPDATE r SET score = '95.5' WHERE id = 1; DELETE FROM r WHERE id = 2;")
    after["tables"]["projects_historicalproject"]["columns"] = ["history_id"]
    after["media"]["a.pdf"] = "0" * 64
    problems = snapshot.compare(before, after)
    assert problems == [
        "projects_historicalproject: 列在升级后不存在：name",
        "r [1]: 升级后改变了 score",
        "r [2]: 行在升级后丢失",
        "附件 a.pdf: 升级后丢失或改变",
    ]


def test_new_rows_in_a_table_of_the_release_are_reported(tmp_path):
    before = world(tmp_path, "")
    after = world(tmp_path, "INSERT INTO r VALUES (3, '70.00', NULL);")
    assert snapshot.compare(before, after) == ["r: 升级后多了 1 行"]


def test_bytes_are_compared_exactly(tmp_path):
    before = world(tmp_path, "")
    after = world(tmp_path, "UPDATE r SET blob = x'00fe' WHERE id = 1;")
    assert snapshot.compare(before, after) == ["r [1]: 升级后改变了 blob"]
