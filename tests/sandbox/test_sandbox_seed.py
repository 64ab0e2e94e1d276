"""The demo hub holds the same numbers whatever day of the year the sandbox is seeded on."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from sandbox.db import create_schema, make_engine
from sandbox.seed import prepare_database
from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.sandbox_server import run_sandbox

API_KEY = "seed-test-key-0123456789"
SEED_DATES = [
    datetime(2026, 1, 1, 0, 30, tzinfo=UTC),  # half an hour into the year
    datetime(2026, 1, 2, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    datetime(2026, 7, 15, 16, 45, 12, tzinfo=UTC),
    datetime(2026, 12, 30, 18, 0, tzinfo=UTC),  # Anna's session falls in January
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2028, 2, 29, 12, 0, tzinfo=UTC),  # leap day
    None,  # the real clock
]
CREDITS = {"c-anna": (6, 2, 4), "c-ben": (6, 6, 0), "c-chloe": (4, 0, 4), "c-dan": (6, 5, 1)}
CONNECTIONS = {"c-anna": ["p-sara", "p-maya"], "c-ben": ["p-sara", "p-jon"], "c-chloe": [],
               "c-dan": ["p-jon"]}


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module", params=SEED_DATES,
                ids=lambda d: d.strftime("%Y-%m-%dT%H:%M") if d else "real-now")
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A sandbox seeded at one date (the tests only read); yields (api, now)."""
    database = tmp_path_factory.mktemp("seed") / "seed.db"
    with run_sandbox(f"sqlite:///{database}", API_KEY, now=request.param) as base_url:
        api = SandboxApi(base_url, API_KEY)
        now = request.param or parse(api.post("/api/v1/admin/reset").json()["now"])
        yield api, now


def test_every_client_has_the_documented_credits(seeded):
    api, now = seeded
    for client_id, (allowance, used, remaining) in CREDITS.items():
        credits = api.credits(client_id)
        numbers = (credits["allowance"], credits["used"], credits["remaining"])
        assert numbers == (allowance, used, remaining), client_id
        assert credits["period_end"] == f"{now.year}-12-31"


def test_connections_are_the_professionals_booked_before(seeded):
    api, _ = seeded
    for client_id, expected in CONNECTIONS.items():
        connections = api.get(f"/api/v1/clients/{client_id}/connections").json()["connections"]
        assert sorted(p["id"] for p in connections) == sorted(expected), client_id


def test_ben_s_credit_sessions_are_in_the_past_and_this_year(seeded):
    api, now = seeded
    past = api.get("/api/v1/clients/c-ben/bookings", params={"status": "past"}).json()["bookings"]
    credit_sessions = [b for b in past if b["payment_method"] == "credits"]
    assert len(credit_sessions) == 6
    for booking in credit_sessions:
        start = parse(booking["start"])
        assert start.year == now.year and start <= now
        assert booking["status"] == "completed"
    [self_paid] = [b for b in past if b["payment_method"] == "self_paid"]
    assert self_paid["professional"]["id"] == "p-jon" and self_paid["invoice_id"]


def test_ben_has_one_unpaid_invoice_and_no_card(seeded):
    api, _ = seeded
    invoices = api.get("/api/v1/clients/c-ben/invoices").json()["invoices"]
    assert [i["status"] for i in invoices] == ["unpaid"]
    assert api.get("/api/v1/clients/c-ben").json()["has_saved_card"] is False
    assert api.get("/api/v1/clients/c-anna").json()["has_saved_card"] is True


def test_anna_s_upcoming_session_is_with_sara_in_three_days_at_ten(seeded):
    api, now = seeded
    [upcoming] = api.get("/api/v1/clients/c-anna/bookings").json()["bookings"]
    start = parse(upcoming["start"])
    assert upcoming["professional"]["id"] == "p-sara" and upcoming["payment_method"] == "credits"
    assert start.date() == (now + timedelta(days=3)).date()
    assert (start.hour, start.minute) == (10, 0)
    assert upcoming["inside_cancellation_window"] is False


def test_dan_s_upcoming_session_is_in_twenty_hours(seeded):
    api, now = seeded
    [upcoming] = api.get("/api/v1/clients/c-dan/bookings").json()["bookings"]
    expected = (now + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    assert parse(upcoming["start"]) == expected
    assert upcoming["inside_cancellation_window"] is True and upcoming["cancellable"] is True


def test_chloe_has_no_bookings_and_no_invoices(seeded):
    api, _ = seeded
    every = {"status": "all"}
    assert api.get("/api/v1/clients/c-chloe/bookings", params=every).json()["bookings"] == []
    assert api.get("/api/v1/clients/c-chloe/invoices", params=every).json()["invoices"] == []


def test_every_seeded_session_starts_on_the_slot_grid(seeded):
    """Seeded sessions start on the hour, like every bookable slot (no 06:37; issue 11)."""
    api, _ = seeded
    for client_id in CREDITS:
        every = {"status": "all"}
        for booking in api.get(f"/api/v1/clients/{client_id}/bookings", params=every).json()[
                "bookings"]:
            start = parse(booking["start"])
            assert (start.minute, start.second) == (0, 0), (client_id, booking["start"])


def test_a_database_of_an_older_sandbox_gains_the_time_zone_column(tmp_path):
    """`make run` on a var/sandbox.db made before clients had a time zone: the column is added
    (UTC until re-seeded), and the re-seed fills in DOMAIN.md's zones."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE clients DROP COLUMN time_zone"))
    prepare_database(engine, datetime(2026, 11, 30, 12, tzinfo=UTC), reset=True)
    assert "time_zone" in {c["name"] for c in inspect(engine).get_columns("clients")}
    with engine.connect() as connection:
        zone = connection.execute(text("SELECT time_zone FROM clients WHERE id = 'c-ben'"))
        assert zone.scalar_one() == "Europe/London"
    engine.dispose()
