"""The package as a district's IT staff would install it: `python -m build` makes a wheel, which
installs into a fresh virtualenv (uv, with this machine's package index) and builds the demo.

Once per `make test`: in the SQLite pass (the wheel's demo runs on SQLite either way)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _uv_env() -> dict[str, str]:
    """uv's variables as scripts/uv-env.sh sets them from pip's configuration."""
    script = f"source scripts/uv-env.sh && uv_env_from_pip {shlex.quote(sys.executable)} && env -0"
    bash = "/bin/bash"
    out = subprocess.run(  # noqa: S603 - our own script
        [bash, "-c", script], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    env = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    env.pop("DATABASE_URL", None)
    env.pop("PYTHONPATH", None)  # the installed wheel, not this checkout's src/
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the installed package's own settings
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="只在 SQLite 轮次运行一次")
def test_the_wheel_installs_in_a_fresh_virtualenv_and_builds_the_demo(tmp_path):
    env = _uv_env()
    dist = tmp_path / "dist"

    def run(*command: str | Path, cwd: Path = ROOT) -> str:
        result = subprocess.run(  # noqa: S603 - our own commands
            [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    run(BIN / "python", "-m", "build", "--wheel", "--installer", "uv", "--outdir", dist)
    (wheel,) = dist.glob("gongjian-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gongjian/templates/base.html" in names or any(
        n.startswith("gongjian/templates/") for n in names
    )
    assert any(n.startswith("gongjian/static/") for n in names)
    assert any(n.endswith("/locale/en/LC_MESSAGES/django.mo") for n in names)
    venv = tmp_path / "venv"
    run(BIN / "uv", "venv", "--python", sys.executable, venv)
    run(BIN / "uv", "pip", "install", "--python", venv / "bin" / "python", wheel)
    env["GONGJIAN_VAR"] = str(tmp_path / "var")
    out = run(venv / "bin" / "gongjian", "demo", "--no-serve", cwd=tmp_path)
    assert (tmp_path / "var" / "gongjian.sqlite3").exists(), out
