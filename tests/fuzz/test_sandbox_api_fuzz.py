"""Property-based fuzzing of the sandbox's platform API from its own OpenAPI document.

schemathesis takes the sandbox's /openapi.json and fuzzes a live sandbox on a real port
(run_sandbox, its API key in the `Authorization` header): for every operation in the document it
sends generated requests — valid ones
and ones that break the schema (wrong types, missing fields, out-of-range values) — checking that
- no response is a server error (5xx);
- every status code is one the document lists for that operation;
- every response body matches the schema the document gives for it.

A bounded, derandomized number of examples per operation keeps the run short and repeatable; the
number of cases run is printed at the end of the pytest run ("fuzz cases run").
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox.api import create_app
from sandbox.settings import load_sandbox_settings
from tests.helpers.fuzz_counts import count
from tests.helpers.sandbox_server import run_sandbox

API_KEY = "fuzz-sandbox-key-0123456789"
FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday, as in tests/sandbox
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("fuzz-sandbox") / "sandbox.db"
    with run_sandbox(f"sqlite:///{database}", API_KEY, now=FIXED_NOW,
                     widget_token_secret="fuzz-widget-secret-0123456789") as url:
        yield url


def _document() -> dict[str, Any]:
    """The sandbox's OpenAPI document, read from the app (the live server serves this same one:
    test_the_live_sandbox_serves_this_document) so the operations are known at collection."""
    app = create_app(load_sandbox_settings({"SANDBOX_DATABASE_URL": "sqlite://",
                                            "PLATFORM_API_KEY": API_KEY}))
    return app.openapi()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_live_sandbox_serves_this_document(sandbox_url: str) -> None:
    response = requests.get(f"{sandbox_url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_as_documented(case: Any, sandbox_url: str) -> None:
    count("sandbox API (schemathesis; kinds: operations)", case.operation.label)
    case.call_and_validate(base_url=sandbox_url, headers={"Authorization": f"Bearer {API_KEY}"},
                           checks=CHECKS, timeout=10)
