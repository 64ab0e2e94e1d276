"""Out of the team's hours: leave a message and an e-mail address to be answered at."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from envsettings.support_hours import WEEKDAYS, SupportHours, describe
from platform_api import DEV_PLATFORM_API_KEY
from tests.gateway.conftest import asks_for_a_person
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.sandbox_server import run_sandbox

# Open one day only, three days from now (never today): closed now, with hours to tell.
OPEN_DAY = (datetime.now(UTC) + timedelta(days=3)).weekday()
OPEN_ONE_DAY = SupportHours(9, 17, (OPEN_DAY,))


@pytest.fixture(scope="module")
def closed_with_platform(fake_rasa: FakeRasa, tmp_path_factory) -> Iterator[Gateway]:
    """Closed now, with hours; the real sandbox platform, where Chloe's zone is Europe/Paris."""
    folder = tmp_path_factory.mktemp("closed-with-platform")
    with run_sandbox(f"sqlite:///{folder / 'sandbox.db'}", DEV_PLATFORM_API_KEY) as sandbox:
        env = {"SUPPORT_DAYS": WEEKDAYS[OPEN_DAY], "SUPPORT_OPEN_HOUR": "9",
               "SUPPORT_CLOSE_HOUR": "17"}
        with run_gateway(folder, fake_rasa.port, fake_rasa.shared,
                         sandbox_port=urlsplit(sandbox).port, env=env) as gateway:
            yield gateway


def test_out_of_hours_the_client_is_asked_for_a_message_and_an_email(closed_gateway, fake_rasa):
    """No queue position: the hours, and how they'll be answered."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    told = widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert "nobody can answer live" in told["text"] and "e-mail address" in told["text"]
    assert "in the queue" not in told["text"]


def test_an_email_typed_while_waiting_is_kept_as_the_address_to_answer(closed_gateway, fake_rasa):
    """The console shows it; the client is told where the answer will go; Rasa isn't called."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    calls = len(fake_rasa.messages_of(widget.id))
    sent = widget.say("My payment failed twice. Write to me at jo.doe+hub@example.org please")
    noted = widget.wait_for_reply(sent["seq"], sender="system")
    assert "jo.doe+hub@example.org" in noted["text"]
    transcript = closed_gateway.console().login().transcript(widget.id)
    assert transcript["contact_email"] == "jo.doe+hub@example.org"
    assert len(fake_rasa.messages_of(widget.id)) == calls


def test_a_message_without_an_email_gets_no_automatic_answer(closed_gateway, fake_rasa):
    """Only the client's own words are added."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    sent = widget.say("it's about my invoice")
    assert [m["sender"] for m in widget.replies_after(sent["seq"] - 1)] == ["client"]


def test_a_signed_in_client_is_told_the_hours_on_her_own_clock(closed_with_platform, fake_rasa):
    """Chloe (Europe/Paris on the platform): the hours configured in UTC, told in Paris time."""
    asks_for_a_person(fake_rasa)
    widget = closed_with_platform.widget("c-chloe")
    told = widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert "nobody can answer live" in told["text"]
    paris = describe(OPEN_ONE_DAY, ZoneInfo("Europe/Paris"))
    assert paris is not None and paris.endswith("Paris time")
    assert paris in told["text"] and "UTC" not in told["text"], told["text"]


def test_a_signed_out_visitor_is_told_the_hours_in_utc(closed_with_platform, fake_rasa):
    asks_for_a_person(fake_rasa)
    widget = closed_with_platform.widget()
    told = widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert f"{describe(OPEN_ONE_DAY)}" in told["text"] and "(UTC)" in told["text"], told["text"]
