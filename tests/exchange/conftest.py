"""The exchange tests use the ledger world of tests/projects."""

from tests.projects.conftest import fixed_today, ledger  # noqa: F401
