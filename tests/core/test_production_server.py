# ruff: noqa: S603, S607 - the tests start our own programs and Debian's nginx, openssl
"""The production server as shipped: gunicorn behind the nginx site of deploy/nginx, over HTTPS.

The demo is built in a temporary folder, gunicorn (`gongjian serve`) and Debian's nginx (as an
unprivileged user, with its own prefix, pid file and error log) are started on free ports, and
a browser's requests go through them: a page, a static file, a login, an attachment sent by
nginx after the app checked the user. nginx comes from `scripts/bootstrap.sh --system`: when it
is missing the test fails and says so.
"""

from __future__ import annotations

import configparser
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import connection

from gongjian.core.management.commands.serve import Command as ServeCommand
from gongjian.core.management.commands.serve import default_workers, gunicorn_options

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "gongjian.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GONGJIAN = [sys.executable, "-m", "gongjian.cli"]
PASSWORD = "gongjian2026"  # the demo's, printed by `gongjian demo`
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"服务未能启动（退出码 {process.returncode}）：\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"服务 60 秒内未监听端口 {port}：\n{log.read_text()}")


def _require_nginx() -> None:
    if not Path(NGINX).exists():
        pytest.fail(
            "找不到 nginx：请以 root 运行 scripts/bootstrap.sh --system 安装 Debian 的 nginx。"
        )


def _unprivileged() -> list[str]:
    """The prefix that runs nginx as nobody when the tests run as root (as in CI's container)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def _nginx_conf(prefix: Path, *, var: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """The shipped site with this machine's paths and ports, in a main config of its own."""
    site = SITE.read_text()
    replacements = {
        "/srv/gongjian/var/": f"{var}/",
        "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "gongjian.example.gov.cn": "localhost",
        "/etc/ssl/gongjian/": f"{prefix}/",
        "/var/log/nginx/": f"{prefix}/",
        "/var/www/html": f"{prefix}/acme",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/gongjian.conf 中没有 {old!r}"
        site = site.replace(old, new)
    (prefix / "site.conf").write_text(site)
    temp = prefix / "temp"
    main = f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/site.conf;
}}
"""
    conf = prefix / "nginx.conf"
    conf.write_text(main)
    return conf


def _self_signed_certificate(prefix: Path) -> Path:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(prefix / "privkey.pem"), "-out", str(prefix / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return prefix / "fullchain.pem"


@dataclass
class Site:
    url: str
    http_url: str
    certificate: Path
    attachment: str  # its name in MEDIA_ROOT
    var: Path


@contextmanager
def _production_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the suite's server, as production runs on."""
    import psycopg  # CREATE DATABASE runs outside any transaction: a connection of its own

    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else str(db.get("USER", ""))
    server = f"postgres://{user}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    name = f"production_site_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(var: Path, https_port: int, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env["DATABASE_URL"] = database_url
    env["GONGJIAN_DEMO_ALLOW_FLUSH"] = "1"  # the database was made for this test a moment ago
    env.update(
        DJANGO_SETTINGS_MODULE="gongjian.settings",
        GONGJIAN_VAR=str(var),
        DEBUG="0",
        SECRET_KEY="test-" + "Zx8!q2#Lm9@Vb4$Ne7%Rt1^Yu6&Io3*Pa5" * 2,
        ALLOWED_HOSTS="localhost",
        CSRF_TRUSTED_ORIGINS=f"https://localhost:{https_port}",
        SECURE="1",
        GONGJIAN_TRUSTED_PROXY_COUNT="1",
        GONGJIAN_FILE_SENDER="x-accel-redirect",
        GONGJIAN_WORKERS="2",
    )
    return env


ATTACH = """
from django.core.files.base import ContentFile
from gongjian.org.models import User
from gongjian.projects.models import ProgressReport, ReportAttachment
from gongjian.projects.selectors import projects_for
user = User.objects.get(username="hunan_staff")
report = ProgressReport.objects.filter(project__in=projects_for(user)).first()
attachment = ReportAttachment(report=report, kind="photo", original_name="现场.png")
attachment.file.save("现场.png", ContentFile(PNG_BYTES), save=True)
print(attachment.file.name)
"""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    # The site is the same whatever the suite's database: it runs once, on the PostgreSQL run,
    # as a production server would, rather than building the demo a second time on SQLite.
    if connection.vendor != "postgresql":
        pytest.skip("nginx → gunicorn 的端到端测试在 PostgreSQL 一轮中运行")
    _require_nginx()
    # Readable by nobody along the whole path: nginx's workers send the static and media files.
    top = Path(tempfile.mkdtemp(prefix="gongjian-nginx-"))
    top.chmod(0o755)
    var, prefix = top / "var", top / "nginx"
    prefix.mkdir()
    (prefix / "temp").mkdir()
    (prefix / "acme").mkdir()
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    processes: list[subprocess.Popen[bytes]] = []
    cleanup = ExitStack()
    try:
        env = _env(var, https_port, cleanup.enter_context(_production_database()))
        subprocess.run([*GONGJIAN, "demo", "--no-serve"], env=env, check=True, capture_output=True)
        subprocess.run([*GONGJIAN, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        script = ATTACH.replace("PNG_BYTES", repr(PNG))
        attachment = (
            subprocess.run(
                [*GONGJIAN, "shell", "-c", script],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )

        app_log = top / "gunicorn.log"
        with app_log.open("wb") as out:
            app = subprocess.Popen(
                [*GONGJIAN, "serve", "--bind", f"127.0.0.1:{app_port}", "--no-migrate"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(app)
        _wait_for_port(app_port, app, app_log)

        certificate = _self_signed_certificate(prefix)
        conf = _nginx_conf(
            prefix, var=var, app_port=app_port, http_port=http_port, https_port=https_port
        )
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for path in [prefix, *prefix.rglob("*")]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        nginx = [
            *_unprivileged(),
            NGINX,
            "-p",
            str(prefix),
            "-e",
            str(prefix / "error.log"),
            "-c",
            str(conf),
        ]
        checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        nginx_log = prefix / "error.log"
        server = subprocess.Popen([*nginx, "-g", "daemon off;"])
        processes.append(server)
        _wait_for_port(https_port, server, nginx_log)
        yield Site(
            url=f"https://localhost:{https_port}",
            http_url=f"http://localhost:{http_port}",
            certificate=certificate,
            attachment=attachment,
            var=var,
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        cleanup.close()
        shutil.rmtree(top, ignore_errors=True)


def _session(site: Site) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # neither the machine's proxy nor its CA bundle: our certificate
    session.verify = str(site.certificate)
    return session


def _login(session: requests.Session, site: Site, username: str) -> requests.Response:
    page = session.get(f"{site.url}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text
    return session.post(
        f"{site.url}/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        headers={"Referer": f"{site.url}/login/"},
        timeout=30,
        allow_redirects=False,
    )


def test_a_page_and_its_static_files_come_through_nginx_over_https(site):
    session = _session(site)
    page = session.get(f"{site.url}/login/", timeout=30)
    assert page.status_code == 200
    assert "登录" in page.text
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text)
    assert stylesheet, page.text
    css = session.get(site.url + stylesheet.group(1), timeout=30)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "Expires" in css.headers  # nginx's, not the app's: nginx sent it from STATIC_ROOT


def test_plain_http_is_redirected_to_https(site):
    answer = _session(site).get(f"{site.http_url}/login/", allow_redirects=False, timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://localhost")


def test_a_login_through_nginx_opens_the_home_page_with_secure_cookies(site):
    session = _session(site)
    answer = _login(session, site, "hunan_staff")
    assert answer.status_code == 302, answer.text
    assert "secure" in answer.headers["Set-Cookie"].lower()
    home = session.get(site.url + "/", timeout=30)
    assert home.status_code == 200
    assert "湖南镇" in home.text


def test_an_attachment_is_sent_by_nginx_only_after_the_app_checked_the_user(site):
    media = f"{site.url}/media/{site.attachment}"
    anonymous = _session(site).get(media, timeout=30, allow_redirects=False)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous.headers["Location"]

    outsider = _session(site)
    assert _login(outsider, site, "songxia_staff").status_code == 302
    assert outsider.get(media, timeout=30).status_code == 404

    staff = _session(site)
    assert _login(staff, site, "hunan_staff").status_code == 302
    photo = staff.get(media, timeout=30)
    assert photo.status_code == 200
    assert photo.content == PNG
    assert photo.headers["Content-Type"] == "image/png"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in photo.headers


def test_the_internal_file_location_cannot_be_reached_from_outside(site):
    answer = _session(site).get(f"{site.url}/protected-media/{site.attachment}", timeout=30)
    assert answer.status_code == 404


def test_a_request_past_the_upload_size_is_refused_by_nginx(site):
    answer = _session(site).post(f"{site.url}/login/", data=b"x" * (26 * 1024 * 1024), timeout=60)
    assert answer.status_code == 413


def test_the_access_log_is_written_in_the_combined_format(site):
    # gunicorn's access log goes to its stdout, which the fixture keeps beside the var folder.
    log = (site.var.parent / "gunicorn.log").read_text()
    assert re.search(r'"GET /login/ HTTP/1\.[01]" 200 \d+ "[^"]*" "python-requests/', log), log


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_the_systemd_web_service_runs_gongjian_serve_with_options_it_accepts():
    unit = _unit("gongjian.service")
    command = shlex.split(unit["Service"]["ExecStart"])
    assert command[0].endswith("/gongjian") and command[1] == "serve"
    options = ServeCommand().create_parser("gongjian", "serve").parse_args(command[2:])
    assert options.bind == "127.0.0.1:8000"  # the upstream of deploy/nginx/gongjian.conf
    assert "server 127.0.0.1:8000;" in SITE.read_text()
    assert unit["Service"]["ExecReload"] == "/bin/kill -HUP $MAINPID"  # graceful restart
    assert unit["Service"]["Type"] == "notify"  # gunicorn tells systemd when it is ready


def test_the_tick_timer_starts_the_tick_service_every_15_minutes():
    timer, service = _unit("gongjian-tick.timer"), _unit("gongjian-tick.service")
    assert timer["Timer"]["Unit"] == "gongjian-tick.service"
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert service["Service"]["Type"] == "oneshot"
    assert shlex.split(service["Service"]["ExecStart"])[1:] == ["tick"]


def test_the_robots_timer_sends_the_outbox_every_minute():
    timer, service = _unit("gongjian-robots.timer"), _unit("gongjian-robots.service")
    assert timer["Timer"]["Unit"] == "gongjian-robots.service"
    assert timer["Timer"]["OnCalendar"] == "*:*:00"
    assert service["Service"]["Type"] == "oneshot"
    assert shlex.split(service["Service"]["ExecStart"])[1:] == ["deliver"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze 不可用")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # The units name /srv/gongjian; verify wants the programs they start to exist.
    for name in sorted(p.name for p in (DEPLOY / "systemd").iterdir()):
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace(
            "/srv/gongjian/.venv/bin/gongjian", str(Path(sys.executable).parent / "gongjian")
        )
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(p) for p in sorted(tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        if str(tmp_path) in line and "Failed to" not in line and "offline" not in line
    ]
    assert not problems, result.stderr


def test_workers_follow_the_cores_unless_configured(monkeypatch):
    monkeypatch.delenv("GONGJIAN_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_workers() == 9
    monkeypatch.setenv("GONGJIAN_WORKERS", "3")
    assert default_workers() == 3
    options = gunicorn_options(bind="127.0.0.1:8000", workers=3)
    assert options["workers"] == 3
    assert options["accesslog"] == "-"
    assert options["graceful_timeout"] > 0
