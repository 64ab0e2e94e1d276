"""Shared by every test suite. Kept minimal: suites put their own fixtures next to their tests.

- Marker `postgres`: the test runs against PostgreSQL (skipped if unreachable, failed if CI=true).
"""
from __future__ import annotations


def pytest_configure(config) -> None:  # noqa: ANN001 (pytest's Config)
    config.addinivalue_line(
        "markers", "postgres: runs against PostgreSQL (tests/helpers/postgres.py)"
    )
