"""Socket Mode: the real gateway with an app-level token connects to (fake) Slack's WebSocket when
it starts, takes events from there, acknowledges them, answers through the Web API, and serves no
/slack/events route."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.fake_slack import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack, new_event_id, new_ts
from tests.helpers.fake_slack_socket import FakeSocketMode, run_fake_socket_mode
from tests.helpers.gateway import Gateway, run_gateway


@pytest.fixture(scope="module")
def socket_mode() -> Iterator[FakeSocketMode]:
    with run_fake_socket_mode() as socket:
        yield socket


@pytest.fixture(scope="module")
def socket_gateway(fake_rasa: FakeRasa, fake_slack: FakeSlack, socket_mode: FakeSocketMode,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    fake_slack.socket_url = socket_mode.url
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
           "SLACK_API_URL": fake_slack.api_url}
    with run_gateway(tmp_path_factory.mktemp("slack-socket"), fake_rasa.port, fake_rasa.shared,
                     env=env) as gateway:
        yield gateway


def test_events_arrive_over_the_socket_and_are_answered(socket_gateway: Gateway,
                                                        socket_mode: FakeSocketMode,
                                                        fake_slack: FakeSlack) -> None:
    socket_mode.wait_connected()
    before = len(fake_slack.posts())
    event_id = new_event_id()
    body = {"token": "unused", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()),
            "event": {"type": "message", "channel_type": "im", "channel": "DUSOCKET",
                      "user": "USOCKET", "text": "hello over the socket", "ts": new_ts(),
                      "team": TEAM}}
    envelope = socket_mode.send("events_api", body)
    socket_mode.wait_acked(envelope)
    sent = fake_slack.wait_for_text("echo: hello over the socket", after=before)
    assert sent.arguments["channel"] == "DUSOCKET"

    # Slack sends the same event again (no ack seen in time): answered once
    socket_mode.wait_acked(socket_mode.send("events_api", body))
    assert [c.arguments["text"] for c in fake_slack.settle()[before:]] == [
        "echo: hello over the socket"]


def test_no_http_route_in_socket_mode(socket_gateway: Gateway) -> None:
    response = requests.post(f"{socket_gateway.url}/slack/events",
                             data=json.dumps({"type": "url_verification", "challenge": "x"}),
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 404
