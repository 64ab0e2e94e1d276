"""The core's tests that link chat accounts talk to a live sandbox (started only when asked)."""
from tests.helpers.sandbox_fixtures import (  # noqa: F401 (fixtures)
    api_key,
    sandbox,
    sandbox_database,
    sandbox_url,
)
