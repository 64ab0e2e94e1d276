"""The platform client's tests run against a recording local server and a live sandbox."""
from tests.helpers.sandbox_fixtures import api_key, sandbox, sandbox_url  # noqa: F401 (fixtures)
