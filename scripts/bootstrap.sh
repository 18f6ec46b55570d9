#!/usr/bin/env bash
# Installs what Gongjian needs on this machine: the Python virtualenv with the pinned packages,
# and (with --system) the Debian packages the tests use: Chromium, CJK fonts (and the 仿宋
# of fonts-cwtex-fs), poppler-utils, LibreOffice Writer (headless).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi

if [ "${1:-}" = "--system" ]; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)
    command -v msgfmt >/dev/null || missing+=(gettext)
    # The bulletin: a free 仿宋 face for the PDF body, LibreOffice to render .docx pages in tests.
    fc-list 2>/dev/null | grep -qi "cwTeXFangSong" || missing+=(fonts-cwtex-fs)
    # and a free 楷体 face (simplified glyphs) for its second-level headings.
    fc-list 2>/dev/null | grep -qi "AR PL UKai CN" || missing+=(fonts-arphic-ukai)
    [ -x /usr/bin/soffice ] || missing+=(libreoffice-writer-nogui)
    # Debian's nginx, not started by the install (the tests start their own, unprivileged).
    [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null || missing+=(openssl)
    # PostgreSQL's server and clients: the test database, and the replica test's own primary
    # and standby (scripts/start-replica.sh: initdb, pg_basebackup; pg_dump, psql).
    ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || missing+=(postgresql)
    command -v pg_dump >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "${missing[@]}" >/dev/null
            fc-cache -f >/dev/null
        else
            echo "缺少系统软件包：${missing[*]}，请以 root 运行：apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
fi
