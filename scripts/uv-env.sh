# Sourced (bash): `uv_env_from_pip [PYTHON]` exports UV_* so that uv reads the same package index
# as pip does on this machine (pip.conf / PIP_* variables: index, mirrors, local wheels, caps).
# uv does not read pip's configuration; without this a machine set up for a mirror (e.g.
# pypi.tuna.tsinghua.edu.cn) or for local wheels would have uv go to pypi.org instead.
uv_env_from_pip() {
    local line key value
    while IFS= read -r line; do
        key=${line%%=*}
        value=${line#*=}
        value=${value#\'}
        value=${value%\'}
        case "${key##*.}" in
            index-url) export UV_INDEX_URL=${UV_INDEX_URL:-$value} ;;
            extra-index-url) export UV_EXTRA_INDEX_URL=${UV_EXTRA_INDEX_URL:-$value} ;;
            find-links) export UV_FIND_LINKS=${UV_FIND_LINKS:-${value// /,}} ;;
            constraint) export UV_CONSTRAINT=${UV_CONSTRAINT:-$value} ;;
        esac
    done < <("${1:-python3}" -m pip config list 2>/dev/null || true)
    if [ -n "${PIP_INDEX_URL:-}" ]; then export UV_INDEX_URL=$PIP_INDEX_URL; fi
    if [ -n "${PIP_FIND_LINKS:-}" ]; then export UV_FIND_LINKS=${PIP_FIND_LINKS// /,}; fi
    # uv refuses an index folder that is missing; pip only warns. Keep those that exist.
    if [ -n "${UV_EXTRA_INDEX_URL:-}" ]; then
        local kept=() url
        for url in $UV_EXTRA_INDEX_URL; do
            if [[ $url != file://* ]] || [ -d "${url#file://}" ]; then kept+=("$url"); fi
        done
        export UV_EXTRA_INDEX_URL="${kept[*]:-}"
        [ -n "$UV_EXTRA_INDEX_URL" ] || unset UV_EXTRA_INDEX_URL
    fi
    # pip treats all its indexes alike (best version wins); uv, by default, the first that has it.
    export UV_INDEX_STRATEGY=${UV_INDEX_STRATEGY:-unsafe-best-match}
    export UV_HTTP_TIMEOUT=${UV_HTTP_TIMEOUT:-180}
}

