"""`gongjian backup` / `gongjian restore`: the demo comes back table for table, every published
round's results and every uploaded file byte for byte, into a fresh database of the same kind;
a non-empty target or an archive that does not match its manifest is refused."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from gongjian.core.backup import compare, manifest
from gongjian.demo.builder import build_demo
from gongjian.org.models import User
from gongjian.projects.models import ProgressReport, ReportAttachment
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

GONGJIAN = [sys.executable, "-m", "gongjian.cli"]


@pytest.fixture
def fresh_target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a `gongjian` process on an empty database of the suite's kind and an
    empty media folder."""
    var = tmp_path / "restored"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DJANGO_SETTINGS_MODULE="gongjian.settings", GONGJIAN_VAR=str(var), SECURE="0")
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var / 'restored.sqlite3'}"
        yield env
        return
    db = connection.settings_dict
    name = f"restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env["DATABASE_URL"] = f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    try:
        yield env
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _gongjian(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GONGJIAN, *args], env=env, capture_output=True, text=True, check=False)


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


def test_the_demo_restored_into_a_fresh_database_matches_table_for_table(
    settings, tmp_path, fresh_target
):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo()
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
    assert again["media"] == original["media"] == {
        attachment.file.name: original["media"][attachment.file.name]
    }


def test_a_restore_into_a_database_that_has_data_is_refused_unless_forced(
    settings, tmp_path, fresh_target
):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "empty.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert _gongjian(fresh_target, "migrate", "-v0").returncode == 0
    before = _manifest_of(fresh_target)

    refused = _gongjian(fresh_target, "restore", str(archive))
    assert refused.returncode != 0
    assert "恢复目标不是空的" in refused.stderr
    assert "--force" in refused.stderr
    assert _manifest_of(fresh_target)["tables"] == before["tables"]  # nothing changed

    forced = _gongjian(fresh_target, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr


def test_an_archive_whose_file_does_not_match_its_manifest_is_refused(
    settings, tmp_path, fresh_target
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "reports").mkdir(parents=True)
    (tmp_path / "media" / "reports" / "a.png").write_bytes(image_bytes("PNG"))
    archive = tmp_path / "good.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "media/reports/a.png":
                data = data[:-1] + b"\x00"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    refused = _gongjian(fresh_target, "restore", str(tampered))
    assert refused.returncode != 0
    assert "附件 reports/a.png 不同或缺失" in refused.stderr


def test_a_file_that_is_not_an_archive_is_refused_with_its_name(tmp_path, fresh_target):
    junk = tmp_path / "notes.tar"
    junk.write_text("不是备份")
    refused = _gongjian(fresh_target, "restore", str(junk))
    assert refused.returncode != 0
    assert f"不是有效的备份文件：{junk}" in refused.stderr
