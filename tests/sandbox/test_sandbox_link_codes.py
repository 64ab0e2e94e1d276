"""Link codes (POST /api/v1/clients/{id}/link-code, POST /api/v1/link-codes/redeem, and the
dashboard's "Link Slack or Telegram" button): six digits, ten minutes, once; a new code replaces
the old; wrong, expired and used codes are told apart; only a keyed hash is stored."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import create_engine, text, update

from sandbox.models import LinkCode
from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.sandbox_server import run_sandbox
from tests.sandbox.conftest import API_KEY, FIXED_NOW

WIDGET_SECRET = "test-widget-secret-0123456789abcdef"


def issue(api: SandboxApi, client_id: str = "c-anna") -> dict:
    response = api.post(f"/api/v1/clients/{client_id}/link-code")
    assert response.status_code == 201, response.text
    return response.json()


def redeem(api: SandboxApi, code: object):
    return api.post("/api/v1/link-codes/redeem", json={"code": code})


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_code_is_six_digits_for_ten_minutes_and_names_its_client(api):
    issued = issue(api)
    assert re.fullmatch(r"[0-9]{6}", issued["code"])
    assert issued["client_id"] == "c-anna"
    assert issued["expires_at"] == (FIXED_NOW + timedelta(minutes=10)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    answer = redeem(api, issued["code"])
    assert answer.status_code == 200
    assert answer.json() == {"client_id": "c-anna"}


def test_a_code_works_once(api):
    code = issue(api)["code"]
    assert redeem(api, code).status_code == 200
    again = redeem(api, code)
    assert (again.status_code, error_code(again)) == (409, "link_code_used")


def test_a_wrong_code_is_not_found(api):
    code = issue(api)["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answer = redeem(api, wrong)
    assert (answer.status_code, error_code(answer)) == (404, "link_code_not_found")
    assert redeem(api, code).status_code == 200  # a wrong try doesn't spoil the right code


def test_a_new_code_replaces_the_old_one(api):
    old = issue(api)["code"]
    new = issue(api)["code"]
    if old != new:
        answer = redeem(api, old)
        assert (answer.status_code, error_code(answer)) == (404, "link_code_not_found")
    assert redeem(api, new).json() == {"client_id": "c-anna"}


def test_codes_of_different_clients_are_independent(api):
    anna, ben = issue(api, "c-anna")["code"], issue(api, "c-ben")["code"]
    assert redeem(api, ben).json() == {"client_id": "c-ben"}
    assert redeem(api, anna).json() == {"client_id": "c-anna"}


def test_an_expired_code_is_told_apart(api, sandbox_database):
    code = issue(api)["code"]
    engine = create_engine(sandbox_database)
    with engine.begin() as connection:  # as if issued eleven minutes ago
        connection.execute(update(LinkCode).values(
            issued_at=FIXED_NOW - timedelta(minutes=11),
            expires_at=FIXED_NOW - timedelta(minutes=1)))
    engine.dispose()
    answer = redeem(api, code)
    assert (answer.status_code, error_code(answer)) == (409, "link_code_expired")
    assert "expired" in answer.json()["error"]["message"]


def test_only_a_keyed_hash_of_the_code_is_stored(api, sandbox_database):
    code = issue(api)["code"]
    engine = create_engine(sandbox_database)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text("SELECT * FROM link_codes"))]
    engine.dispose()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert code not in stored
    import hashlib
    assert hashlib.sha256(code.encode()).hexdigest() not in stored  # keyed, not a plain hash


@pytest.mark.parametrize("body", [{"code": "12345"}, {"code": "1234567"}, {"code": "12a456"},
                                  {"code": 123456}, {}, {"code": "123456", "client_id": "c-ben"}])
def test_a_malformed_redeem_is_422_with_a_sentence(api, body):
    answer = api.post("/api/v1/link-codes/redeem", json=body)
    assert (answer.status_code, error_code(answer)) == (422, "invalid_request")
    assert answer.json()["error"]["message"]


def test_issuing_for_an_unknown_client_is_404(api):
    answer = api.post("/api/v1/clients/c-nobody/link-code")
    assert (answer.status_code, error_code(answer)) == (404, "client_not_found")


def test_both_routes_need_the_api_key(api, sandbox_url):
    import requests
    for path, body in (("/api/v1/clients/c-anna/link-code", None),
                       ("/api/v1/link-codes/redeem", {"code": "123456"})):
        answer = requests.post(f"{sandbox_url}{path}", json=body, timeout=5)
        assert (answer.status_code, error_code(answer)) == (401, "unauthorized")


def test_the_routes_are_in_the_openapi_document_with_their_errors(api):
    paths = api.get("/openapi.json").json()["paths"]
    issue_op = paths["/api/v1/clients/{client_id}/link-code"]["post"]
    redeem_op = paths["/api/v1/link-codes/redeem"]["post"]
    assert {"201", "401", "404", "422"} <= set(issue_op["responses"])
    assert {"200", "401", "404", "409", "422"} <= set(redeem_op["responses"])
    assert issue_op["security"] and redeem_op["security"]
    assert "link_code_expired" in redeem_op["responses"]["409"]["description"]


# -- the dashboard's button ----------------------------------------------------------------

@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("link-dashboard") / "sandbox.db"
    with run_sandbox(f"sqlite:///{database}", API_KEY, now=FIXED_NOW,
                     widget_token_secret=WIDGET_SECRET,
                     telegram_bot_username="WellbeingHubBot") as base_url:
        yield base_url


def shown_code(html: str) -> str:
    found = re.search(r"data-testid='link-code'>([0-9]{6})<", html)
    assert found, "no link code on the page"
    return found.group(1)


def test_the_dashboard_offers_linking_and_shows_a_fresh_code_with_the_instructions(dashboard_url):
    api = SandboxApi(dashboard_url, API_KEY)
    page = api.get("/dashboard/c-ben")
    assert "Link Slack or Telegram" in page.text
    assert "action='/dashboard/c-ben/link-code'" in page.text
    assert "data-testid='link-code'" not in page.text  # no code until asked for
    shown = api.post("/dashboard/c-ben/link-code")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    code = shown_code(shown.text)
    words = unescape(re.sub(r"<[^>]+>", "", shown.text))
    assert (f"Send link {code} to the Wellbeing Hub bot on Slack or Telegram, or open "
            f"t.me/WellbeingHubBot?start={code}") in words
    assert f"href='https://t.me/WellbeingHubBot?start={code}'" in shown.text
    assert "until 09:40 London time" in words  # Ben's own clock (UTC+0 in March)
    assert redeem(api, code).json() == {"client_id": "c-ben"}


def test_the_code_s_expiry_is_shown_on_the_client_s_own_clock(dashboard_url):
    """Chloe lives in Paris: a code issued at 09:30 UTC works until 10:40 Paris time."""
    api = SandboxApi(dashboard_url, API_KEY)
    shown = api.post("/dashboard/c-chloe/link-code")
    words = unescape(re.sub(r"<[^>]+>", "", shown.text))
    assert "until 10:40 Paris time (10 minutes)" in words


def test_a_second_press_replaces_the_code(dashboard_url):
    api = SandboxApi(dashboard_url, API_KEY)
    first = shown_code(api.post("/dashboard/c-dan/link-code").text)
    second = shown_code(api.post("/dashboard/c-dan/link-code").text)
    if first != second:
        assert error_code(redeem(api, first)) == "link_code_not_found"
    assert redeem(api, second).json() == {"client_id": "c-dan"}


def test_linking_from_an_unknown_dashboard_is_a_404_page(dashboard_url):
    answer = SandboxApi(dashboard_url, API_KEY).post("/dashboard/c-nobody/link-code")
    assert answer.status_code == 404
    assert "No such demo client" in answer.text


def test_without_a_bot_username_the_dashboard_gives_the_link_command_only(api):
    """The module's own sandbox has no TELEGRAM_BOT_USERNAME (and no widget secret: 503)."""
    from sandbox import dashboard
    html = dashboard.link_section("c-anna", dashboard.LinkOffer("482913", FIXED_NOW, None))
    assert "link 482913" in html and "t.me" not in html
