"""The platform client's tests run against a recording local server and a live sandbox."""
from tests.helpers.sandbox_fixtures import (  # noqa: F401 (fixtures)
    api_key,
    sandbox,
    sandbox_database,
    sandbox_url,
)
