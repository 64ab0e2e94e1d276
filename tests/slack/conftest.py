"""Fixtures for the Slack tests: the real gateway process with Slack on, in front of a fake Slack
Web API (tests/helpers/fake_slack.py, where slack_sdk's `base_url` points) and a fake Rasa
(tests/helpers/fake_rasa.py); `SlackEvents` posts signed requests to its /slack/events.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Conversation, Message
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.fake_slack import FakeSlack, SlackEvents, run_fake_slack
from tests.helpers.gateway import Gateway, run_gateway


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlack]:
    with run_fake_slack() as slack:
        yield slack


@pytest.fixture(autouse=True)
def _fresh_fakes(request: pytest.FixtureRequest) -> None:
    if "fake_rasa" in request.fixturenames:
        rasa: FakeRasa = request.getfixturevalue("fake_rasa")
        rasa.reset_answers()
    if "fake_slack" in request.fixturenames:
        slack: FakeSlack = request.getfixturevalue("fake_slack")
        slack.fail_next.clear()


@pytest.fixture(scope="module")
def slack_gateway(fake_rasa: FakeRasa, fake_slack: FakeSlack,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("slack-gateway"), fake_rasa.port, fake_rasa.shared,
                     env=fake_slack.gateway_env()) as gateway:
        yield gateway


@pytest.fixture
def events(slack_gateway: Gateway) -> SlackEvents:
    return SlackEvents(slack_gateway.url)


def slack_messages(database_url: str, external_id: str) -> list[Message]:
    """The stored messages of the Slack conversation with this external id, oldest first."""
    db = Database.from_url(database_url)
    try:
        def read(session):
            conversation = session.scalar(select(Conversation).where(
                Conversation.channel == "slack", Conversation.external_id == external_id))
            if conversation is None:
                return []
            found = list(session.scalars(select(Message).where(
                Message.conversation_id == conversation.id).order_by(Message.seq)))
            session.expunge_all()
            return found

        return db.run_sync(read)
    finally:
        db.dispose()


def message_count(database_url: str) -> int:
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: len(list(session.scalars(select(Message.id)))))
    finally:
        db.dispose()
