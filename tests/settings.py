"""Test settings: the real settings, served over plain http as the test client and live server are."""

import os

os.environ.setdefault("SECURE", "0")

from gongjian.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
AUTHENTICATION_BACKENDS = [
    "tests.backends.AxesBackendForTestClient",
    "django.contrib.auth.backends.ModelBackend",
]
