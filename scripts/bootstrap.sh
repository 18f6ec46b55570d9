#!/usr/bin/env bash
# Installs what Gongjian needs on this machine: the Python virtualenv with the pinned packages,
# and (with --system) the Debian packages the tests use: Chromium, CJK fonts (and the 仿宋
# of fonts-cwtex-fs), poppler-utils, LibreOffice Writer (headless).
#
# The packages are installed by uv (pinned in pyproject.toml's `bootstrap` extra): taken from the
# machine when there, else pip-installed into the new virtualenv first. uv reads the same package
# index as pip (pip.conf, PIP_INDEX_URL, e.g. a mirror such as pypi.tuna.tsinghua.edu.cn), and
# falls back to pip if it cannot run. Each step says what it does, with its time.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
started=$SECONDS
step() { printf '[%3ss] %s\n' "$((SECONDS - started))" "$*" >&2; }

# uv does not read pip's configuration: scripts/uv-env.sh hands it the same index and mirrors.
source scripts/uv-env.sh

uv_pin() { sed -n 's/^ *"\(uv==[^"]*\)",*$/\1/p' pyproject.toml | head -1; }

# uv: on the machine, or pip-installed for this user (fast: no virtualenv with pip needed first);
# where pip may not install for the user (Debian's PEP 668), into the virtualenv instead.
find_uv() {
    local user_uv
    user_uv=$("$PYTHON" -m site --user-base 2>/dev/null)/bin/uv
    command -v uv || { [ -x "$user_uv" ] && echo "$user_uv"; } || true
}
stamp_for() { echo ".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"; }
if [ ! -f "$(stamp_for)" ]; then
    uv_env_from_pip "$PYTHON"
    UV=$(find_uv)
    if [ -z "$UV" ] && [ ! -x .venv/bin/uv ] && "$PYTHON" -m pip --version >/dev/null 2>&1; then
        step "安装 $(uv_pin)（pip --user，约 20 MB）"
        "$PYTHON" -m pip install --user --quiet --disable-pip-version-check "$(uv_pin)" 2>/dev/null \
            && UV=$("$PYTHON" -m site --user-base)/bin/uv || true
    fi
    if [ ! -x .venv/bin/python ]; then
        step "创建虚拟环境 .venv（$("$PYTHON" --version)）"
        if [ -n "$UV" ]; then "$UV" venv --quiet --python "$PYTHON" .venv; else "$PYTHON" -m venv .venv; fi
    fi
    if [ -z "$UV" ]; then
        if [ ! -x .venv/bin/uv ]; then
            step "安装 $(uv_pin)（pip，约 20 MB）"
            .venv/bin/python -m pip install --quiet --disable-pip-version-check "$(uv_pin)"
        fi
        UV=.venv/bin/uv
    fi
    step "安装依赖（uv，pyproject.toml 中的固定版本）"
    if ! "$UV" pip install --compile-bytecode --python .venv/bin/python -e ".[dev]"; then
        step "uv 安装失败，改用 pip"
        .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip --quiet
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install -e ".[dev]"
    fi
    rm -f .venv/.installed-*
    touch "$(stamp_for)"
    step "依赖已安装"
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
