"""Test settings: the real settings, served over plain http as the test client and live server are."""

import os

os.environ.setdefault("SECURE", "0")

from gongjian.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
AUTHENTICATION_BACKENDS = [
    "tests.backends.AxesBackendForTestClient",
    "django.contrib.auth.backends.ModelBackend",
]
# Tests assert on what a robot received right after the commit, so the suite sends in the
# request; the background thread production uses is tested in
# tests/supervision/test_robot_threads.py, which sets "thread" again.
GONGJIAN_ROBOT_DELIVERY = "inline"
