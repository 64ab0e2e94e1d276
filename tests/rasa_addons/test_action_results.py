"""rasa_addons.action_results: Rasa's check of action server responses with its validator built
once.

- In Rasa's own environment: Rasa 3.6.21's check and ours give the same verdict and the same
  message on valid and invalid responses; ours is the one installed afterwards, and far cheaper.
- In the real Rasa server (`rasa_addons.serve`, the trained model, an action server that answers
  `action_session_start` as told): the check is installed, a valid response is used, an invalid
  one is still rejected (its text never reaches the client).
"""
from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import requests

from bot.processes import RASA_PYTHON, ROOT, Ports, SharedSecrets, rasa_process
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER
from tests.helpers.fake_server import serving
from tests.helpers.processes import free_port, output_of, running
from tests.helpers.stack import endpoints_with_tracker_db

SCENARIO = """
import json, time
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_addons import action_results

action = RemoteAction("action_x", None)
valid = {"events": [{"event": "slot", "name": "credits", "value": 3}],
         "responses": [{"text": "hi"}]}
invalid = [{"events": [{"event": "slot"}]}, {"events": "not a list"}, {"responses": [1]},
           {"events": [{"event": "no_such_event"}]}, {"events": [{"name": "x"}]}]

def verdicts():
    out = []
    for result in [valid, *invalid]:
        try:
            out.append(action._validate_action_result(result))
        except ValidationError as exc:
            out.append("rejected: " + exc.message)
    return out

def cpu_ms():
    started = time.process_time()
    for _ in range(20):
        action._validate_action_result(valid)
    return (time.process_time() - started) / 20 * 1000

rasa_verdicts, rasa_ms = verdicts(), cpu_ms()
installed = action_results.install() and action_results.installed()
print(json.dumps({"installed": installed, "rasa": rasa_verdicts, "ours": verdicts(),
                  "rasa_ms": rasa_ms, "ours_ms": cpu_ms()}))
"""


def test_the_same_verdicts_as_rasa_s_own_check_at_a_fraction_of_the_cost():
    result = subprocess.run([str(RASA_PYTHON), "-c", SCENARIO], check=False, cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["installed"]
    assert outcome["ours"] == outcome["rasa"]
    assert outcome["ours"][0] is True
    assert all(v.startswith("rejected: ") and "Failed to validate Action server response" in v
               for v in outcome["ours"][1:]), outcome["ours"]
    assert outcome["ours_ms"] * 5 < outcome["rasa_ms"], outcome


ACCEPTED = "a valid action server response"
REJECTED = "an invalid action server response"


@dataclass
class FakeActionServer:
    """Answers every action as `answers[sender]` says; records (action, sender) calls."""

    port: int
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)


def _handler(fake: FakeActionServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            sender = body["sender_id"]
            fake.calls.append((body["next_action"], sender))
            # The session start answers as the test says; any other action (a help topic is
            # answered by `action_help_topic`) with nothing, so the turn ends.
            answer = (fake.answers.get(sender) if body["next_action"] == "action_session_start"
                      else None) or {"events": []}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # /health
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture(scope="module")
def actions() -> Iterator[FakeActionServer]:
    with serving(FakeActionServer, _handler, "fake-action-server") as fake:
        yield fake


@pytest.fixture(scope="module")
def rasa(model, actions, tmp_path_factory) -> Iterator[tuple[str, SharedSecrets, Any]]:
    ports = Ports(rasa=free_port(), actions=actions.port)
    shared = SharedSecrets.generate()
    spec = rasa_process(ports, model, shared,
                        endpoints=endpoints_with_tracker_db(tmp_path_factory.mktemp("rasa")))
    url = f"http://127.0.0.1:{ports.rasa}"
    with running(spec, f"{url}/version", timeout=300) as process:
        yield url, shared, process


def _say(rasa, sender: str, text: str) -> list[dict]:
    url, shared, _ = rasa
    response = requests.post(f"{url}/webhooks/rest/webhook", timeout=120,
                             headers={WEBHOOK_SECRET_HEADER: shared.webhook_secret},
                             json={"sender": sender, "message": text, "metadata": {}})
    response.raise_for_status()
    return response.json()


def test_in_the_real_server_installed_valid_responses_used_invalid_ones_rejected(rasa,
                                                                                 actions):
    _, _, process = rasa
    assert "RemoteAction._validate_action_result replaced" in output_of(process)

    good, bad = f"valid-{uuid.uuid4().hex[:8]}", f"invalid-{uuid.uuid4().hex[:8]}"
    session = [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]
    actions.answers[good] = {"events": session, "responses": [{"text": ACCEPTED}]}
    actions.answers[bad] = {"events": [*session, {"event": "slot"}],  # a slot with no name
                            "responses": [{"text": REJECTED}]}

    said_to_good = [m.get("text") for m in _say(rasa, good, "how do I add a credit card?")]
    said_to_bad = [m.get("text") for m in _say(rasa, bad, "how do I add a credit card?")]

    assert ("action_session_start", good) in actions.calls
    assert ("action_session_start", bad) in actions.calls
    assert ACCEPTED in said_to_good, said_to_good
    assert REJECTED not in said_to_bad, said_to_bad
    assert "Failed to validate Action server response" in output_of(process)
