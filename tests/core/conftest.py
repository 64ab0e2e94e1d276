"""The core's tests that link chat accounts talk to a live sandbox (started only when asked); the
store's own tests get a fresh migrated store (`db`), the routing core's a store's URL on SQLite
and on PostgreSQL (`store_url`)."""
from tests.helpers.gateway_store import db  # noqa: F401 (fixture)
from tests.helpers.postgres import store_url  # noqa: F401 (fixture)
from tests.helpers.sandbox_fixtures import (  # noqa: F401 (fixtures)
    api_key,
    sandbox,
    sandbox_database,
    sandbox_url,
)
