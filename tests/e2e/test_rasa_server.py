"""The real Rasa server, started the way `make run` starts it (bot/processes.py rasa_process)."""
from __future__ import annotations

import requests

from tests.helpers.stack import Assistant


def test_rasa_starts_with_a_token_that_begins_with_a_dash_and_checks_it(assistant: Assistant):
    """The shared stack's token begins with `-` (tests/helpers/stack.py): Rasa started, its API
    takes that token and refuses another."""
    assert assistant.token.startswith("-")
    status = f"{assistant.rasa}/status"
    assert requests.get(status, params={"token": assistant.token}, timeout=10).status_code == 200
    wrong = requests.get(status, params={"token": assistant.token[1:]}, timeout=10)
    assert wrong.status_code == 401
