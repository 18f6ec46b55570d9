"""One archive holds an installation: its database, its uploaded files and a manifest to check them.

`gongjian backup FILE` writes a tar file with
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the site runs) or
  `database.pgdump` (`pg_dump --format=custom`, restored with `pg_restore`);
- `media/…`, every file under MEDIA_ROOT;
- `manifest.json`: the version, the database's vendor, for every table its row count and a
  digest of all its rows, a digest of every published round's results (registered by the app
  that owns them, `register_digest`), and the digest of every media file.

`gongjian restore FILE` refuses a database that already has tables or a media folder that
already has files (unless `--force`), restores both, recomputes the manifest from what it
restored and fails, naming what differs, when anything does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
FORMAT = 1

# name -> function giving {key: digest} of what must come back byte for byte
Digest = Callable[[], dict[str, str]]
_digests: dict[str, Digest] = {}


def register_digest(name: str, digest: Digest) -> None:
    """An app names data a restore must bring back unchanged (AppConfig.ready)."""
    _digests[name] = digest


def gongjian_version() -> str:
    try:
        return version("gongjian")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


def _vendor() -> str:
    return str(connection.vendor)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_digests() -> dict[str, dict[str, Any]]:
    """Every table: its row count and a SHA-256 of its rows in a fixed order."""
    tables: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            description = connection.introspection.get_table_description(cursor, table)
            key = connection.introspection.get_primary_key_column(cursor, table)
            order = _quote(key) if key else ", ".join(str(i + 1) for i in range(len(description)))
            cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
            digest, count = hashlib.sha256(), 0
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    digest.update(repr(tuple(_plain(v) for v in row)).encode())
                    count += 1
            tables[table] = {"rows": count, "sha256": digest.hexdigest()}
    return tables


def _plain(value: Any) -> Any:
    """One form for a value whichever driver read it (memoryview, Decimal, aware datetime)."""
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    return str(value) if value is not None else None


def media_digests(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            files[path.relative_to(root).as_posix()] = _file_sha256(path)
    return files


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def manifest(media_root: Path | None = None) -> dict[str, Any]:
    """What an archive of this installation must contain, computed from the database and files."""
    return {
        "format": FORMAT,
        "version": gongjian_version(),
        "vendor": _vendor(),
        "tables": table_digests(),
        "digests": {name: digest() for name, digest in sorted(_digests.items())},
        "media": media_digests(media_root or Path(settings.MEDIA_ROOT)),
    }


def backup(target: Path) -> dict[str, Any]:
    """Write the archive `target` (replaced only once complete); the manifest written in it."""
    media_root = Path(settings.MEDIA_ROOT)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        dump = work_dir / (SQLITE_FILE if _vendor() == "sqlite" else PG_FILE)
        if _vendor() == "sqlite":
            _sqlite_backup(dump)
        elif _vendor() == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *_pg_args()])
        else:
            raise ValidationFailed(_("不支持备份此类数据库：%(v)s") % {"v": _vendor()})
        info = manifest(media_root)
        partial = work_dir / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(info, ensure_ascii=False, indent=1, sort_keys=True).encode()
            entry = tarfile.TarInfo(MANIFEST)
            entry.size, entry.mtime = len(data), int(dt.datetime.now(dt.UTC).timestamp())
            tar.addfile(entry, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for name in info["media"]:
                tar.add(media_root / name, arcname=f"{MEDIA_DIR}/{name}")
        os.replace(partial, target)
    return info


def _sqlite_backup(dump: Path) -> None:
    """A consistent copy of what is committed, taken while the site keeps working: from a
    connection of its own (one inside a write transaction would wait on itself for ever),
    except for an in-memory database, which only this process's connection can see."""
    connection.ensure_connection()
    if connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):  # type: ignore[attr-defined]
        if connection.in_atomic_block:
            raise ValidationFailed(_("内存数据库不能在事务中备份。"))
        source = connection.connection
        own = False
    else:
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=60)
        own = True
    destination = sqlite3.connect(dump)
    try:
        source.backup(destination)
    finally:
        destination.close()
        if own:
            source.close()


def _pg_args() -> list[str]:
    """The connection of `default` as pg_dump/pg_restore options (the password in PGPASSWORD)."""
    db = connections["default"].settings_dict
    args = ["--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    return args


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    password = connections["default"].settings_dict.get("PASSWORD")
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with our own options
            command, env=_pg_env(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise ValidationFailed(
            _("找不到 %(cmd)s：请安装 PostgreSQL 客户端（postgresql-client）。")
            % {"cmd": command[0]}
        ) from exc
    if result.returncode != 0:
        raise ValidationFailed(
            _("%(cmd)s 失败：%(err)s") % {"cmd": command[0], "err": result.stderr.strip()}
        )


def target_problems() -> list[str]:
    """Why the configured database and media folder are not an empty target (empty: none)."""
    problems = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        problems.append(_("数据库已有 %(n)s 张表") % {"n": len(tables)})
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        problems.append(_("附件目录 %(path)s 已有文件") % {"path": media_root})
    return problems


def restore(archive: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore `archive` into the configured database and MEDIA_ROOT, then check the manifest."""
    if not archive.is_file():
        raise ValidationFailed(_("找不到备份文件：%(path)s") % {"path": archive})
    if not tarfile.is_tarfile(archive):
        raise ValidationFailed(_("不是有效的备份文件：%(path)s") % {"path": archive})
    with (
        tarfile.open(archive, "r") as tar,
        tempfile.TemporaryDirectory(prefix="gongjian-restore-") as work,
    ):
        expected = _read_manifest(tar, archive)
        work_dir = Path(work)
        tar.extractall(work_dir, filter="data")
        # The archive first: a damaged one is refused before anything is written.
        damaged = compare(
            {**expected, "tables": {}, "digests": {}},
            {**expected, "tables": {}, "digests": {}, "media": media_digests(work_dir / MEDIA_DIR)},
        )
        dump = work_dir / (SQLITE_FILE if expected["vendor"] == "sqlite" else PG_FILE)
        if not dump.is_file():
            damaged.append(_("缺少数据库文件 %(name)s") % {"name": dump.name})
        if damaged:
            raise ValidationFailed(
                _("备份文件已损坏，未做任何恢复：%(what)s") % {"what": "；".join(damaged[:20])}
            )
        if expected["vendor"] != _vendor():
            raise ValidationFailed(
                _("备份来自 %(src)s 数据库，不能恢复到 %(dst)s 数据库。")
                % {"src": expected["vendor"], "dst": _vendor()}
            )
        problems = target_problems()
        if problems and not force:
            raise ValidationFailed(
                _("恢复目标不是空的（%(why)s）：请换用空数据库和空附件目录，或加 --force 覆盖。")
                % {"why": "；".join(problems)}
            )
        _restore_database(work_dir, force=force)
        _restore_media(work_dir / MEDIA_DIR, Path(settings.MEDIA_ROOT), force=force)
    found = manifest()
    differences = compare(expected, found)
    if differences:
        raise ValidationFailed(
            _("恢复后的数据与备份清单不符：%(what)s") % {"what": "；".join(differences[:20])}
        )
    return found


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise KeyError(MANIFEST)
        info: dict[str, Any] = json.loads(member.read())
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(
            _("备份文件 %(path)s 缺少清单 manifest.json 或清单无法读取。") % {"path": archive}
        ) from exc
    if info.get("format") != FORMAT:
        raise ValidationFailed(_("不支持的备份格式：%(f)s") % {"f": info.get("format")})
    return info


def _restore_database(work_dir: Path, *, force: bool) -> None:
    if _vendor() == "sqlite":
        source = sqlite3.connect(work_dir / SQLITE_FILE)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        if force:  # replace the whole schema: no table of before may survive beside the archive's
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        connection.close()
        _run(
            [
                "pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                "--exit-on-error", *_pg_args(), str(work_dir / PG_FILE),
            ]
        )  # fmt: skip


def _restore_media(source: Path, media_root: Path, *, force: bool) -> None:
    if force and media_root.is_dir():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = PurePosixPath(path.relative_to(source).as_posix())
        destination = media_root.joinpath(*relative.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def compare(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs between two manifests, in Chinese, one entry per table, round or file."""
    differences = []
    for table in sorted(set(expected["tables"]) | set(found["tables"])):
        want, got = expected["tables"].get(table), found["tables"].get(table)
        if want is None or got is None:
            differences.append(_("表 %(t)s 只在一边") % {"t": table})
        elif want["rows"] != got["rows"]:
            differences.append(
                _("表 %(t)s 行数 %(want)s ≠ %(got)s")
                % {"t": table, "want": want["rows"], "got": got["rows"]}
            )
        elif want["sha256"] != got["sha256"]:
            differences.append(_("表 %(t)s 内容不同") % {"t": table})
    for name in sorted(set(expected["digests"]) | set(found["digests"])):
        want_d, got_d = expected["digests"].get(name, {}), found["digests"].get(name, {})
        for key in sorted(set(want_d) | set(got_d)):
            if want_d.get(key) != got_d.get(key):
                differences.append(_("%(name)s %(key)s 不同") % {"name": name, "key": key})
    for name in sorted(set(expected["media"]) | set(found["media"])):
        if expected["media"].get(name) != found["media"].get(name):
            differences.append(_("附件 %(name)s 不同或缺失") % {"name": name})
    return differences
