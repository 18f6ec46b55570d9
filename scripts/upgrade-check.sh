#!/usr/bin/env bash
# `make upgrade-check`: an upgrade from the previous release loses nothing.
#
# 1. the previous release (last line of deploy/releases.txt) is checked out from git (git archive
#    of its commit, nothing registered in the repository) and installed in its own virtualenv
#    with its own pinned dependencies (uv; kept in var/upgrade-check/ between runs);
# 2. its `gongjian demo --no-serve` builds its demo database, then its `gongjian shell` adds a
#    report, an order step and a draft round through its services (scripts/upgrade/additions.py);
# 3. every row, history row and media file is snapshotted, the new code runs `gongjian migrate`
#    on that database, and the snapshot after must hold everything byte-identical
#    (scripts/upgrade/snapshot.py).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '[%3ss] %s\n' "$((SECONDS - started))" "$*" >&2; }

NEW=${NEW_GONGJIAN:-$PWD/.venv/bin/gongjian}
NEW_PYTHON=${NEW_PYTHON:-$(dirname "$NEW")/python}
read -r name commit < <(grep -v '^#' deploy/releases.txt | tail -1)
work=${GONGJIAN_UPGRADE_DIR:-$PWD/var/upgrade-check}
src=$work/$name
venv=$work/venv-$name
mkdir -p "$work"

if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "upgrade-check：找不到上一版本 $name 的提交 $commit（需要完整的 git 历史：git fetch --unshallow）" >&2
    exit 1
fi
if [ ! -f "$src/pyproject.toml" ]; then
    step "取出上一版本 $name（$commit）"
    rm -rf "$src" && mkdir -p "$src"
    git archive "$commit" | tar -x -C "$src"
fi
if [ ! -f "$venv/.installed" ]; then
    step "安装上一版本 $name 及其固定版本的依赖（uv）"
    source scripts/uv-env.sh
    uv_env_from_pip "$NEW_PYTHON"
    UV=$(command -v uv || echo "$(dirname "$NEW")/uv")
    rm -rf "$venv"
    "$UV" venv --quiet --python "$(command -v python3)" "$venv"
    "$UV" pip install --quiet --python "$venv/bin/python" "$src"
    touch "$venv/.installed"
fi

var=$work/var
pristine=$work/demo-$commit  # the release's demo database, built once per release
new_pythonpath=${PYTHONPATH:-}  # a checkout run without its own .venv (src/ on the path)
unset DATABASE_URL PYTHONPATH
additions=$(cat scripts/upgrade/additions.py)
if [ ! -f "$pristine/gongjian.sqlite3" ]; then
    step "上一版本 $name 建演示库"
    rm -rf "$pristine.tmp"
    (cd "$work" && GONGJIAN_VAR=$pristine.tmp "$venv/bin/gongjian" demo --no-serve >"$work/demo.log" 2>&1) || {
        tail -20 "$work/demo.log" >&2
        exit 1
    }
    rm -rf "$pristine" && mv "$pristine.tmp" "$pristine"
fi
rm -rf "$var" && cp -a "$pristine" "$var"
export GONGJIAN_VAR=$var
step "上一版本添加填报、督办步骤、考评期草稿"
(cd "$work" && "$venv/bin/gongjian" shell --no-imports -c "$additions")
mkdir -p "$var/media"
"$NEW_PYTHON" scripts/upgrade/snapshot.py "$var/gongjian.sqlite3" "$var/media" "$work/before.json"
step "新版本 gongjian migrate"
PYTHONPATH=$new_pythonpath "$NEW" migrate --no-input >"$work/migrate.log" 2>&1 || {
    tail -20 "$work/migrate.log" >&2
    exit 1
}
"$NEW_PYTHON" scripts/upgrade/snapshot.py "$var/gongjian.sqlite3" "$var/media" "$work/after.json"
"$NEW_PYTHON" scripts/upgrade/snapshot.py --compare "$work/before.json" "$work/after.json"
step "升级检查通过：$name → $(git describe --always --tags 2>/dev/null || echo HEAD)"
