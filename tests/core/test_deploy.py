"""Production settings are safe: `gongjian check --deploy` is clean with DEBUG off and a secret."""

import os
import subprocess
import sys


def test_check_deploy_is_clean_with_debug_off_and_a_secret(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-Zx8!q2#Lm9@Vb4$Ne7%Rt1^Yu6&Io3*Pa5" + "w" * 10,
        "ALLOWED_HOSTS": "gongjian.example.gov.cn",
        "GONGJIAN_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongjian.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("SECURE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run(
        [sys.executable, "-m", "gongjian.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
