"""`gongjian backup` / `gongjian restore`: the demo comes back table for table, every published
round's results and every uploaded file byte for byte, into a fresh database of the same kind;
a non-empty target or an archive that does not match its manifest is refused."""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from gongjian.core.backup import compare, manifest
from gongjian.org.models import User
from gongjian.projects.models import ProgressReport, ReportAttachment
from tests import worlds
from tests.factories import image_bytes

GONGJIAN = [sys.executable, "-m", "gongjian.cli"]


@pytest.fixture
def new_installation(tmp_path: Path) -> Iterator[Callable[[str], dict[str, str]]]:
    """The environment of a `gongjian` process on a new, empty database of the suite's kind
    (SQLite file or PostgreSQL database) and an empty media folder."""
    created: list[str] = []
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else str(db.get("USER", ""))
    server = f"postgres://{user}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"

    def _new(label: str) -> dict[str, str]:
        var = tmp_path / label
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        env.update(DJANGO_SETTINGS_MODULE="gongjian.settings", GONGJIAN_VAR=str(var), SECURE="0")
        if connection.vendor == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{var / 'gongjian.sqlite3'}"
            return env
        import psycopg  # CREATE DATABASE runs outside any transaction: a connection of its own

        name = f"restore_{label}_{secrets.token_hex(4)}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        env["DATABASE_URL"] = f"{server}/{name}"
        return env

    yield _new
    if created:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_target(new_installation: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return new_installation("target")


def _sql(env: dict[str, str], statement: str) -> list[tuple]:
    """A statement on the installation's database, straight through its driver."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as db:
            return db.execute(statement).fetchall()
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(statement)
        return cursor.fetchall() if cursor.description else []


def _tables(env: dict[str, str]) -> list[str]:
    if env["DATABASE_URL"].startswith("sqlite:///"):
        query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    return [name for (name,) in _sql(env, query)]


def _gongjian(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [*GONGJIAN, *args], env=env, capture_output=True, text=True, check=False
    )


def _manifest_of(env: dict[str, str]) -> dict:
    script = "import json; from gongjian.core.backup import manifest; print(json.dumps(manifest()))"
    result = _gongjian(env, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _attach_a_photo() -> ReportAttachment:
    staff = User.objects.get(username="hunan_staff")
    report = ProgressReport.objects.filter(project__unit=staff.unit).first() or (
        ProgressReport.objects.first()
    )
    attachment = ReportAttachment(report=report, kind="photo", original_name="现场.png")
    attachment.file.save("现场.png", ContentFile(image_bytes("PNG")), save=True)
    return attachment


@pytest.mark.django_db(transaction=True)  # pg_dump and the backup API see committed rows
def test_the_demo_restored_into_a_fresh_database_matches_table_for_table(
    settings, tmp_path, fresh_target
):
    settings.MEDIA_ROOT = tmp_path / "media"
    worlds.demo()
    attachment = _attach_a_photo()
    archive = tmp_path / "demo.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    original = manifest()
    assert original["digests"]["published_rounds"]  # the demo publishes its rounds
    assert original["tables"]["assessment_unitresult"]["rows"] > 0

    restored = _gongjian(fresh_target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "已恢复并校验" in restored.stdout

    # every table (rows and their content), every published round, every media file
    again = _manifest_of(fresh_target)
    assert compare(original, again) == []
    assert again["tables"] == original["tables"]
    assert again["digests"] == original["digests"]
    media = Path(fresh_target["GONGJIAN_VAR"]) / "media"
    assert (media / attachment.file.name).read_bytes() == attachment.file.read()
    assert (
        again["media"]
        == original["media"]
        == {attachment.file.name: original["media"][attachment.file.name]}
    )


def test_a_restore_into_a_database_that_has_data_is_refused_unless_forced(
    tmp_path, new_installation
):
    source, target = new_installation("source"), new_installation("target")
    archive = tmp_path / "one-table.tar"
    _sql(source, "CREATE TABLE kept (a int)")
    _sql(source, "INSERT INTO kept VALUES (1), (2)")
    assert _gongjian(source, "backup", str(archive)).returncode == 0
    _sql(target, "CREATE TABLE other (a int)")

    refused = _gongjian(target, "restore", str(archive))
    assert refused.returncode != 0
    assert "恢复目标不是空的（数据库已有 1 张表）" in refused.stderr
    assert "--force" in refused.stderr
    assert _tables(target) == ["other"]  # nothing changed

    forced = _gongjian(target, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert "kept" in _tables(target)
    assert _sql(target, "SELECT a FROM kept ORDER BY a") == [(1,), (2,)]


def test_an_archive_whose_file_does_not_match_its_manifest_is_refused_before_any_write(
    tmp_path, new_installation
):
    source, target = new_installation("source"), new_installation("target")
    photo = Path(source["GONGJIAN_VAR"]) / "media" / "reports" / "a.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(image_bytes("PNG"))
    archive = tmp_path / "good.tar"
    _sql(source, "CREATE TABLE kept (a int)")
    assert _gongjian(source, "backup", str(archive)).returncode == 0
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as original, tarfile.open(tampered, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "media/reports/a.png":
                data = data[:-1] + b"\x00"
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))

    refused = _gongjian(target, "restore", str(tampered))
    assert refused.returncode != 0
    assert "备份文件已损坏，未做任何恢复：附件 reports/a.png 不同或缺失" in refused.stderr
    assert not (Path(target["GONGJIAN_VAR"]) / "media" / "reports").exists()
    assert _tables(target) == []


def test_a_file_that_is_not_an_archive_is_refused_with_its_name(tmp_path):
    junk = tmp_path / "notes.tar"
    junk.write_text("不是备份")
    with pytest.raises(CommandError, match=f"不是有效的备份文件：{junk}"):
        call_command("restore", str(junk))
