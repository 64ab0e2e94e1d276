"""The demo client dashboard (GET /dashboard/...): the page, and the widget it embeds, signed."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import jwt
import pytest
import requests

from bot.identity import InvalidIdentityToken, verify_identity_token
from sandbox import dashboard
from sandbox.settings import SettingsError, load_sandbox_settings
from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.sandbox_server import run_sandbox
from tests.sandbox.conftest import API_KEY, FIXED_NOW

WIDGET_SECRET = "test-widget-secret-0123456789abcdef"
GATEWAY = "http://gateway.test:8080"
DEMO_CLIENTS = ["c-anna", "c-ben", "c-chloe", "c-dan"]


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's sandbox signs widget tokens and points the widget at GATEWAY."""
    database = tmp_path_factory.mktemp("dashboard") / "sandbox.db"
    with run_sandbox(f"sqlite:///{database}", API_KEY, now=FIXED_NOW,
                     widget_token_secret=WIDGET_SECRET, gateway_url=GATEWAY) as base_url:
        yield base_url


class Scripts(HTMLParser):
    """Collects the attributes of every <script> tag of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.tags.append(dict(attrs))


def scripts(html: str) -> list[dict[str, str | None]]:
    """The script tags that load a script (the page's own inline refresh script aside)."""
    parser = Scripts()
    parser.feed(html)
    return [tag for tag in parser.tags if tag.get("src")]


def page(api: SandboxApi, path: str) -> requests.Response:
    return requests.get(api.base_url + path, timeout=10)


def test_index_lists_the_four_demo_clients_and_the_signed_out_page(api):
    response = page(api, "/dashboard")
    assert response.status_code == 200
    for client_id in DEMO_CLIENTS:
        assert f"href='/dashboard/{client_id}'" in response.text
    assert "href='/dashboard/signed-out'" in response.text
    assert "Ben Carter" in response.text and "0 of 6 credits left" in response.text


def test_dashboard_greets_the_client_and_shows_connections_sessions_and_the_hub(api):
    response = page(api, "/dashboard/c-anna")
    assert response.status_code == 200
    html = response.text
    assert "Hi Anna" in html
    assert "My connections" in html and "Dr. Sara Hansen" in html and "Maya Patel" in html
    assert html.count(">Book session<") == 2
    assert "Upcoming sessions" in html and "Individual therapy" in html
    assert "4 of 6 from Northwind Ltd" in html
    assert html.index("My Wellbeing Hub") > html.index("Upcoming sessions")
    assert "href='/hubs/northwind'>Go to Hub<" in html


def test_each_demo_client_sees_their_own_situation(api):
    """Ben's unpaid invoice, Dan's session inside 24 hours, Chloe's empty connections."""
    assert "is unpaid" in page(api, "/dashboard/c-ben").text
    assert "Within 24 hours" in page(api, "/dashboard/c-dan").text
    chloe = page(api, "/dashboard/c-chloe").text
    assert "No connections yet" in chloe and "No upcoming sessions" in chloe


def test_the_account_sections_refresh_after_a_booking_made_elsewhere(api):
    """The dashboard polls `/dashboard/{id}/account` (REFRESH_SCRIPT): after Chloe books (as the
    assistant does, through the API) it shows the session, her credits down by one, and Sara as
    a connection; times in her own zone (Paris)."""
    html = page(api, "/dashboard/c-chloe").text
    assert "data-refresh-url='/dashboard/c-chloe/account'" in html
    assert "No upcoming sessions" in page(api, "/dashboard/c-chloe/account").text
    slot = next(s for s in api.slots("p-sara") if not s["inside_cancellation_window"])
    booked = api.book("c-chloe", {"professional_id": "p-sara", "service_id": "s-sara-therapy",
                                  "start": slot["start"]})
    assert booked.status_code == 201, booked.text
    after = page(api, "/dashboard/c-chloe/account")
    assert after.headers["cache-control"] == "no-store"
    paris = dt.datetime.fromisoformat(slot["start"].replace("Z", "+00:00")).astimezone(
        ZoneInfo("Europe/Paris"))
    assert "Individual therapy" in after.text and "3 of 4 from Globex Corp" in after.text
    assert f"{paris:%A %H:%M} Paris time" in after.text
    assert ">Book session<" in after.text  # Sara, her first connection
    assert page(api, "/dashboard/c-nobody/account").status_code == 404


def test_dashboard_embeds_the_widget_with_exactly_one_script_tag(api):
    [tag] = scripts(page(api, "/dashboard/c-anna").text)
    assert tag["src"] == f"{GATEWAY}/widget.js"
    assert tag["data-gateway"] == GATEWAY
    assert "defer" in tag
    assert tag["data-identity-token"]


@pytest.mark.parametrize("client_id", DEMO_CLIENTS)
def test_the_token_verifies_with_the_shared_secret_and_names_the_client(api, client_id):
    [tag] = scripts(page(api, f"/dashboard/{client_id}").text)
    token = tag["data-identity-token"]
    assert verify_identity_token(token, WIDGET_SECRET) == client_id
    with pytest.raises(InvalidIdentityToken):
        verify_identity_token(token, "another-secret-0123456789abcdef-0123")


def test_the_token_lives_fifteen_minutes_from_the_real_time_of_the_page_load(api):
    """Real time, not the sandbox's frozen clock: the gateway checks expiry against real time."""
    [tag] = scripts(page(api, "/dashboard/c-anna").text)
    claims = jwt.decode(tag["data-identity-token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert abs(claims["iat"] - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert claims["aud"] == "wellbeing-widget"


def test_pages_with_a_token_are_never_cached(api):
    assert page(api, "/dashboard/c-anna").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("client_id", ["c-nobody", "<img src=x onerror=alert(1)>", "x" * 300])
def test_an_unknown_client_is_a_404_page_without_a_widget(api, client_id):
    response = page(api, f"/dashboard/{client_id}")
    assert response.status_code == 404
    assert "No such demo client" in response.text
    assert scripts(response.text) == []


def test_the_signed_out_page_embeds_the_widget_with_an_empty_token(api):
    response = page(api, "/dashboard/signed-out")
    assert response.status_code == 200
    [tag] = scripts(response.text)
    assert tag["src"] == f"{GATEWAY}/widget.js"
    assert tag["data-identity-token"] == ""


def test_every_value_on_the_page_is_escaped(now):
    """A hostile name or title cannot add markup, let alone a second script tag."""
    hostile = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
    data = dashboard.DashboardData(
        client_id=hostile, client_name=hostile, first_name=hostile, hub_name=hostile,
        hub_slug="northwind",
        organisation=hostile, credits_allowance=6, credits_remaining=4,
        period_end=dt.date(2026, 12, 31),
        connections=[dashboard.Connection("p-x", hostile, hostile)],
        upcoming=[dashboard.UpcomingSession(now + dt.timedelta(days=2), hostile, hostile, 50,
                                            True)],
        unpaid=[dashboard.UnpaidInvoice("inv-1", hostile, 100, "GBP", hostile, hostile)],
        link=dashboard.LinkOffer(hostile, now, hostile),
    )
    html = dashboard.client_dashboard(data, now, GATEWAY + '"><script>', "token\"'<>")
    assert "<img" not in html and "<script>alert" not in html
    [tag] = scripts(html)
    assert tag["data-identity-token"] == "token\"'<>"


def test_without_a_widget_secret_signed_in_dashboards_name_the_fix(tmp_path):
    with run_sandbox(f"sqlite:///{tmp_path / 's.db'}", API_KEY, now=FIXED_NOW) as base_url:
        signed_in = requests.get(f"{base_url}/dashboard/c-anna", timeout=10)
        signed_out = requests.get(f"{base_url}/dashboard/signed-out", timeout=10)
    assert signed_in.status_code == 503 and "WIDGET_TOKEN_SECRET" in signed_in.text
    assert scripts(signed_in.text) == []
    assert signed_out.status_code == 200


def test_a_placeholder_widget_secret_stops_the_sandbox_at_start():
    with pytest.raises(SettingsError, match="WIDGET_TOKEN_SECRET"):
        load_sandbox_settings({"WIDGET_TOKEN_SECRET": "change-me"})


def test_the_gateway_address_defaults_to_the_local_gateway():
    settings = load_sandbox_settings({})
    assert settings.gateway_public_url == "http://127.0.0.1:8080"
    assert settings.widget_token_secret is None


def test_the_dashboard_names_where_the_widget_gets_a_fresh_token(api):
    """The widget's token URL answers a fresh token for the page's client, never cached; an
    unknown client gets 404."""
    [tag] = scripts(page(api, "/dashboard/c-ben").text)
    assert tag["data-identity-token-url"] == "/dashboard/c-ben/identity-token"
    fresh = page(api, tag["data-identity-token-url"])
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert verify_identity_token(fresh.json()["identity_token"], WIDGET_SECRET) == "c-ben"
    assert page(api, "/dashboard/c-nobody/identity-token").status_code == 404
    [signed_out] = scripts(page(api, "/dashboard/signed-out").text)
    assert "data-identity-token-url" not in signed_out
