# ruff: noqa: S603, S607 - the tests start the project's own script and PostgreSQL's clients
"""The read replica: reads of marked pages and API lists on the replica, writes and
read-your-writes on the primary (core/replica.py).

The router's rule is tested on its own, and where a token's read-your-writes window is kept; then,
on PostgreSQL, `scripts/start-replica.sh` starts a real primary and streaming replica, the test
database's schema is copied onto the primary, and the site runs against the pair. With the
replica's replay paused, a project written on the primary is missing from the ledger (page and
API) read from the replica, present for the session or token that just wrote (and only while its
sticky window lasts), present for everyone once replay resumes, and present when the replica is
down (the list is read again from the primary).
"""

from __future__ import annotations

import datetime as dt
import os
import runpy
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections
from django.test import Client
from django.utils import timezone

from gongjian.api import api
from gongjian.core import replica
from gongjian.org import services as org_services
from gongjian.org.models import ApiToken, Role
from tests.factories import UnitFactory, UserFactory
from tests.projects.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "start-replica.sh"
SETTINGS = str(Path(replica.__file__).resolve().parents[1] / "settings.py")


# The rule ---------------------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def _in_request(*, sticky: bool = False) -> Any:
    return replica._state.set(replica._RequestState(sticky=sticky))


def test_marked_get_reads_the_replica_until_the_request_writes(with_replica: None) -> None:
    router = replica.ReplicaRouter()
    token = _in_request()
    try:
        request = type("R", (), {"method": "GET"})()
        seen: list[str] = []

        @replica.reads_from_replica
        def view(request: Any) -> None:
            seen.append(router.db_for_read(None))
            assert router.db_for_write(None) == "default"
            seen.append(router.db_for_read(None))

        view(request)
        assert seen == ["replica", "default"]
    finally:
        replica._state.reset(token)


def test_reads_stay_on_the_primary_outside_marked_pages_posts_and_sticky_sessions(
    with_replica: None,
) -> None:
    router = replica.ReplicaRouter()
    assert router.db_for_read(None) == "default"  # no request: commands, tick

    @replica.reads_from_replica
    def view(request: Any) -> str:
        return router.db_for_read(None)

    for method, sticky, expected in (
        ("GET", False, "replica"),
        ("HEAD", False, "replica"),
        ("POST", False, "default"),
        ("GET", True, "default"),  # the session wrote within the sticky window
    ):
        token = _in_request(sticky=sticky)
        try:
            assert view(type("R", (), {"method": method})()) == expected, (method, sticky)
            assert router.db_for_read(None) == "default"  # an unmarked view of the request
        finally:
            replica._state.reset(token)


def test_a_marked_page_is_read_again_from_the_primary_when_the_replica_is_down(
    with_replica: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[bool] = []
    monkeypatch.setattr(
        replica,
        "connections",
        type(
            "C",
            (),
            {
                "__getitem__": lambda self, alias: type(
                    "Conn",
                    (),
                    {"close": lambda self: closed.append(True), "in_atomic_block": False},
                )()
            },
        )(),
    )

    @replica.reads_from_replica
    def view(request: Any) -> str:
        alias = replica.read_alias()
        if alias == "replica":
            raise OperationalError("connection refused")
        return alias

    token = _in_request()
    try:
        assert view(type("R", (), {"method": "GET"})()) == "default"
        assert closed == [True]
    finally:
        replica._state.reset(token)


def test_a_token_client_reads_the_primary_while_its_own_sticky_time_lasts(
    with_replica: None,
) -> None:
    @replica.reads_from_replica
    def view(request: Any) -> str:
        return replica.read_alias()

    get = type("R", (), {"method": "GET"})()
    now = timezone.now()
    for until, expected in (
        (None, "replica"),  # a token that never wrote
        (now - dt.timedelta(seconds=1), "replica"),  # its window is over
        (now + dt.timedelta(seconds=30), "default"),  # it wrote within the window
    ):
        token = _in_request()
        try:
            replica.bind_client(reads_primary_until=until, remember=lambda until: None)
            assert view(get) == expected, until
        finally:
            replica._state.reset(token)


def test_authentication_and_bookkeeping_inside_a_marked_view_leave_its_reads_on_the_replica(
    with_replica: None,
) -> None:
    @replica.reads_from_replica
    def view(request: Any) -> list[str]:
        seen = []
        with replica.primary_reads():  # who the caller is: always the primary
            seen.append(replica.read_alias())
        with replica.bookkeeping():  # a token's last use: not a write of the client's
            replica.note_write()
        seen.append(replica.read_alias())
        replica.note_write()  # a real write
        seen.append(replica.read_alias())
        return seen

    token = _in_request()
    try:
        assert view(type("R", (), {"method": "GET"})()) == ["default", "replica", "default"]
        assert replica._state.get().wrote  # type: ignore[union-attr]
    finally:
        replica._state.reset(token)


def _marked_operations() -> dict[tuple[str, str], bool]:
    """Every API operation: (method, path) → whether it is marked to read the replica."""
    found = {}
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                marked = replica.reads_from_replica in getattr(operation, "_run_decorators", [])
                for method in operation.methods:
                    found[(method, f"/api{prefix.rstrip('/')}{path}")] = marked
    return found


def test_the_apis_lists_and_battle_map_are_marked_and_only_gets_are() -> None:
    operations = _marked_operations()
    marked = {key for key, is_marked in operations.items() if is_marked}

    assert {method for method, _ in marked} == {"GET"}
    assert {
        ("GET", "/api/ledger/projects"),
        ("GET", "/api/ledger/warnings"),
        ("GET", "/api/ledger/projects/{project_id}/reports"),
        ("GET", "/api/supervision/orders"),
        ("GET", "/api/supervision/notices"),
        ("GET", "/api/supervision/inspections"),
        ("GET", "/api/supervision/messages"),
        ("GET", "/api/assessment/rounds"),
        ("GET", "/api/assessment/rounds/{round_id}/results"),
        ("GET", "/api/dashboard/overview"),
    } <= marked
    # downloads record who took them: they read and write the primary
    assert not operations[("GET", "/api/ledger/export.xlsx")]
    assert not operations[("GET", "/api/assessment/rounds/{round_id}/bulletin")]


@pytest.mark.django_db
def test_a_token_keeps_its_read_your_writes_window_on_its_row_and_gets_no_session(
    org: Any, with_replica: None, settings: Any
) -> None:
    """The middleware's bookkeeping (reads stay on the primary here: a test runs in a
    transaction): a token's write stores its window on the token, not in a session."""
    settings.GONGJIAN_REPLICA_STICKY_SECONDS = 600
    key = org_services.issue_api_token(actor=org.office, user=org.office, name="集成")
    bearer = {"Authorization": f"Bearer {key}"}
    client = Client()
    sessions = Session.objects.count()

    assert client.get("/api/ledger/projects", headers=bearer).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None  # its use was recorded ...
    assert token.reads_primary_until is None  # ... and is no write of the client's

    before = timezone.now()
    response = client.post(
        "/api/ledger/projects",
        {"code": "RP-T1", "name": "卫生院", "level": "district", "unit_id": org.changle.pk},
        content_type="application/json",
        headers=bearer,
    )
    assert response.status_code == 201, response.content
    token.refresh_from_db()
    assert token.reads_primary_until is not None
    assert before + dt.timedelta(seconds=600) <= token.reads_primary_until
    assert token.reads_primary_until <= timezone.now() + dt.timedelta(seconds=600)
    assert Session.objects.count() == sessions
    assert "sessionid" not in response.cookies


def test_replica_url_adds_a_mirrored_replica_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db1:5432/gongjian")
    monkeypatch.setenv("GONGJIAN_REPLICA_URL", "postgres://app@db2:5432/gongjian")
    values = runpy.run_path(SETTINGS)

    assert values["DATABASES"]["replica"]["HOST"] == "db2"
    assert values["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert values["DATABASE_ROUTERS"] == ["gongjian.core.replica.ReplicaRouter"]
    monkeypatch.delenv("GONGJIAN_REPLICA_URL")
    assert "replica" not in runpy.run_path(SETTINGS)["DATABASES"]


@pytest.mark.django_db
def test_without_a_replica_a_write_leaves_the_session_unmarked(client: Client) -> None:
    """Also makes pytest-django build the test database, whose schema the pair below copies."""
    user = UserFactory(roles=[Role.VIEWER])
    client.force_login(user)

    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert replica.STICKY_KEY not in client.session


# A real primary and replica -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Pair:
    """The project's script starting the pair in the background, so the test copies its schema
    meanwhile; `urls()` waits for it and fails (never skips) when it could not start. The schema
    is copied once (`loaded`); the tests on the pair then share it, each with its own rows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loaded: tuple[str, str] | None = None
        self.process = subprocess.Popen(
            [str(SCRIPT), str(folder), str(_free_port()), str(_free_port())],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def urls(self) -> tuple[str, str]:
        out, err = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            pytest.fail(f"scripts/start-replica.sh 未能启动主库和副本：\n{err}")
        found = dict(line.split("=", 1) for line in out.split())
        return found["DATABASE_URL"], found["GONGJIAN_REPLICA_URL"]


@pytest.fixture(scope="session")
def replica_pair() -> Iterator[_Pair]:
    if connections["default"].vendor != "postgresql":
        pytest.skip("只读副本是 PostgreSQL 的：本测试在 PostgreSQL 一轮中运行。")
    pair = _Pair(Path(django_settings.VAR_DIR) / f"replica-{os.getpid()}")
    try:
        yield pair
    finally:
        if pair.process.poll() is None:
            pair.process.wait(timeout=120)
        subprocess.run(
            [str(SCRIPT), "--destroy", str(pair.folder)], capture_output=True, timeout=60
        )


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1].split("/", 1)[0]


@pytest.fixture
def site_on_the_pair(
    replica_pair: _Pair, django_db_setup: None, django_db_blocker: Any
) -> Iterator[None]:
    """The site's default database is the pair's primary, its "replica" the pair's replica."""
    primary = connections["default"]
    source = primary.settings_dict
    if not source["NAME"].startswith("test_"):
        pytest.fail(
            "测试数据库未建立：本模块的 django_db 测试（如 "
            "test_without_a_replica_a_write_leaves_the_session_unmarked）须一起运行。"
        )
    if replica_pair.loaded is None:
        dump = subprocess.run(
            [
                "pg_dump",
                "--no-owner",
                "--no-privileges",
                f"--host={source['HOST'] or '127.0.0.1'}",
                f"--port={source['PORT'] or 5432}",
                f"--username={source['USER']}",
                source["NAME"],
            ],
            capture_output=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
            check=True,
        ).stdout
        urls = replica_pair.urls()
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", urls[0]],
            input=dump,
            capture_output=True,
            timeout=120,
            check=True,
        )
        replica_pair.loaded = urls
    primary_url, replica_url = replica_pair.loaded
    saved = dict(source)
    pair = {**saved, "NAME": "gongjian", "HOST": "127.0.0.1", "USER": "postgres", "PASSWORD": ""}
    with django_db_blocker.unblock():
        primary.close()
        primary.settings_dict.update(pair, PORT=_port(primary_url))
        connections.settings[replica.REPLICA] = {**pair, "PORT": _port(replica_url)}
        try:
            yield
        finally:
            with connections[replica.REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")
            connections[replica.REPLICA].close()
            del connections[replica.REPLICA]
            del connections.settings[replica.REPLICA]
            primary.close()
            primary.settings_dict.clear()
            primary.settings_dict.update(saved)


def _replica_caught_up() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + 30
    with connections[replica.REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "副本 30 秒内未追上主库"
            time.sleep(0.05)


def _listed(client: Client, code: str) -> bool:
    response = client.get("/ledger/")
    assert response.status_code == 200
    return f'data-code="{code}"' in response.content.decode()


def test_lists_read_the_replica_and_a_session_that_wrote_reads_its_writes_on_the_primary(
    site_on_the_pair: None, settings: Any
) -> None:
    settings.GONGJIAN_REPLICA_STICKY_SECONDS = 600
    unit = UnitFactory(name="副本测试区", kind="district")
    writer, other = Client(), Client()
    writer.force_login(UserFactory(unit=unit, roles=[Role.OFFICE_ADMIN]))
    other.force_login(UserFactory(unit=unit, roles=[Role.OFFICE_ADMIN]))
    ProjectFactory(code="RP-OLD", unit=unit)
    _replica_caught_up()
    assert _listed(other, "RP-OLD")

    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    ProjectFactory(code="RP-NEW", unit=unit)  # on the primary only, for now

    assert not _listed(writer, "RP-NEW")  # the ledger came from the replica
    assert writer.post("/i18n/setlang/", {"language": "en"}).status_code == 302  # a write
    assert _listed(writer, "RP-NEW")  # read-your-writes: this session now reads the primary
    assert not _listed(other, "RP-NEW")  # everyone else still reads the replica

    session = writer.session
    session[replica.STICKY_KEY] = time.time() - 1  # the sticky window is over
    session.save()
    assert not _listed(writer, "RP-NEW")

    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    _replica_caught_up()
    assert _listed(other, "RP-NEW")


def _api_listed(client: Client, code: str, **headers: str) -> bool:
    response = client.get("/api/ledger/projects?limit=200", headers=headers)
    assert response.status_code == 200, response.content
    return code in {item["code"] for item in response.json()["items"]}


def test_api_lists_read_the_replica_and_a_token_that_wrote_reads_its_writes_on_the_primary(
    site_on_the_pair: None, settings: Any
) -> None:
    settings.GONGJIAN_REPLICA_STICKY_SECONDS = 600
    unit = UnitFactory(name="副本接口区", kind="district")
    writer = UserFactory(unit=unit, roles=[Role.OFFICE_ADMIN])
    browser = Client()
    browser.force_login(UserFactory(unit=unit, roles=[Role.OFFICE_ADMIN]))
    ProjectFactory(code="RA-OLD", unit=unit)
    _replica_caught_up()

    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    # on the primary only, for now: a new token and a project
    key = org_services.issue_api_token(actor=writer, user=writer, name="集成")
    bearer = {"Authorization": f"Bearer {key}"}
    token_client = Client()
    ProjectFactory(code="RA-NEW", unit=unit)

    # the token is checked on the primary, the list read from the replica
    assert _api_listed(token_client, "RA-OLD", **bearer)
    assert not _api_listed(token_client, "RA-NEW", **bearer)  # the list came from the replica
    assert not _api_listed(browser, "RA-NEW")  # for a session too
    created = token_client.post(
        "/api/ledger/projects",
        {"code": "RA-MINE", "name": "卫生院", "level": "district", "unit_id": unit.pk},
        content_type="application/json",
        headers=bearer,
    )
    assert created.status_code == 201, created.content
    # read-your-writes: the token now reads the primary, its own project and the rest
    assert _api_listed(token_client, "RA-MINE", **bearer)
    assert _api_listed(token_client, "RA-NEW", **bearer)
    assert not _api_listed(browser, "RA-MINE")  # everyone else still reads the replica

    ApiToken.objects.filter(user=writer).update(
        reads_primary_until=timezone.now() - dt.timedelta(seconds=1)
    )  # the token's window is over
    assert not _api_listed(token_client, "RA-MINE", **bearer)

    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    _replica_caught_up()
    assert _api_listed(browser, "RA-MINE")


def test_an_api_list_is_read_from_the_primary_when_the_replica_is_down(
    site_on_the_pair: None, caplog: pytest.LogCaptureFixture
) -> None:
    unit = UnitFactory(name="副本故障区", kind="district")
    browser = Client()
    browser.force_login(UserFactory(unit=unit, roles=[Role.OFFICE_ADMIN]))
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    ProjectFactory(code="RD-NEW", unit=unit)  # on the primary only
    assert not _api_listed(browser, "RD-NEW")

    down = connections[replica.REPLICA]
    port = down.settings_dict["PORT"]
    down.close()
    down.settings_dict["PORT"] = str(_free_port())  # nothing listens: the replica is down
    try:
        assert _api_listed(browser, "RD-NEW")  # no error: read again from the primary
        assert "replica unavailable, reading from the primary" in caplog.text
    finally:
        down.close()
        down.settings_dict["PORT"] = port
