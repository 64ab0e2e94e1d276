"""Only the gateway may talk to Rasa, and only Rasa to the action server, on the real stack: the
REST channel wants the gateway's secret, Rasa's HTTP API a JWT (never a token in the URL), the
action server Rasa's token; no secret is on any process's command line."""
from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import jwt
import pytest
import requests

from bot.core.rasa_client import rasa_api_token
from bot.processes import ROOT, Ports, SharedSecrets, rasa_process
from tests.helpers.processes import free_port
from tests.helpers.stack import Assistant

CREDITS = "how many credits do I have left?"


def user_turns(assistant: Assistant, sender: str) -> list[dict]:
    return [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize("secret", ["", "not-the-secret-but-long-enough-0123456789"])
def test_a_message_without_the_gateways_secret_is_refused_and_never_reaches_rasa(assistant,
                                                                               secret):
    """A local program posting as Ben (metadata.client_id) gets 401; Rasa never saw it."""
    sender = f"intruder-{uuid.uuid4().hex[:8]}"
    response = assistant.webhook(sender, CREDITS, {"client_id": "c-ben"}, secret=secret)
    assert response.status_code == 401
    assert "credits" not in response.text.lower()
    assert user_turns(assistant, sender) == []


def test_a_web_pages_cross_origin_post_is_refused(assistant):
    """What any page open in a browser on this machine can send without a preflight: a
    text/plain POST from another origin."""
    sender = f"page-{uuid.uuid4().hex[:8]}"
    body = f'{{"sender": "{sender}", "message": "{CREDITS}", "metadata": {{"client_id": "c-ben"}}}}'
    response = requests.post(f"{assistant.rasa}/webhooks/rest/webhook", data=body, timeout=30,
                             headers={"Content-Type": "text/plain",
                                      "Origin": "http://evil.example"})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}
    assert user_turns(assistant, sender) == []


def test_with_the_secret_the_channel_answers_and_its_health_is_open(assistant):
    sender = f"gateway-{uuid.uuid4().hex[:8]}"
    response = assistant.webhook(sender, CREDITS, {"client_id": "c-ben"})
    assert response.status_code == 200
    assert "credits" in " ".join(r.get("text") or "" for r in response.json()).lower()
    assert requests.get(f"{assistant.rasa}/webhooks/rest/", timeout=10).status_code == 200


def test_rasas_http_api_wants_a_jwt_and_takes_no_token_in_the_url(assistant):
    """`--auth-token` is not used: a token in the URL opens nothing, not even the right one."""
    url = f"{assistant.rasa}/conversations/anyone/tracker"
    in_the_url = requests.get(url, params={"token": assistant.shared.rasa_token}, timeout=10)
    assert in_the_url.status_code == 401
    assert requests.get(url, timeout=10).status_code == 401
    forged = rasa_api_token("another-secret-0123456789abcdef-0123456789")
    assert requests.get(url, headers={"Authorization": f"Bearer {forged}"},
                        timeout=10).status_code == 401
    user_role = jwt.encode({"user": {"username": "someone", "role": "user"}},
                           assistant.shared.rasa_token, algorithm="HS256")
    assert requests.get(url, headers={"Authorization": f"Bearer {user_role}"},
                        timeout=10).status_code == 403
    good = rasa_api_token(assistant.shared.rasa_token)
    assert requests.get(url, headers={"Authorization": f"Bearer {good}"},
                        timeout=10).status_code == 200


def test_the_action_server_answers_rasa_only(assistant):
    """Without Rasa's token: 401 for the actions; its health stays open. (Every conversation
    test through Rasa shows Rasa itself gets in.)"""
    actions = f"http://127.0.0.1:{assistant.ports.actions}"
    call = {"next_action": "action_check_credits", "sender_id": "x", "version": "3.6.21",
            "tracker": {"sender_id": "x", "slots": {"client_id": "c-ben"}, "events": [],
                        "latest_message": {}}, "domain": {}}
    assert requests.post(f"{actions}/webhook", json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token-0123456789abcdef-0123"}
    assert requests.post(f"{actions}/webhook", json=call, headers=wrong,
                         timeout=10).status_code == 401
    assert requests.get(f"{actions}/actions", timeout=10).status_code == 401
    assert requests.get(f"{actions}/health", timeout=10).status_code == 200


def test_no_secret_is_on_any_command_line(assistant):
    """`ps` shows every user each process's command line: the secrets travel in environments."""
    secrets = [assistant.shared.rasa_token, assistant.shared.webhook_secret,
               assistant.shared.action_token]
    for name, pid in assistant.pids.items():
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert not any(secret in command_line for secret in secrets), name
    assert "rasa_addons.serve" in Path(f"/proc/{assistant.pids['rasa']}/cmdline").read_text()


def start_rasa(env: dict[str, str], model: Path) -> subprocess.CompletedProcess[str]:
    spec = rasa_process(Ports(rasa=free_port(), actions=free_port()), model,
                        SharedSecrets.generate())
    return subprocess.run(spec.argv, cwd=ROOT, env={**spec.env, "PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=180, check=False)


def test_rasa_refuses_to_start_without_the_rest_channels_secret(model):
    result = start_rasa({"RASA_WEBHOOK_SECRET": "too-short"}, model)
    assert result.returncode != 0
    assert "RASA_WEBHOOK_SECRET" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_rasa_refuses_to_start_without_its_api_secret(model):
    result = start_rasa({"RASA_TOKEN": ""}, model)
    assert result.returncode == 2
    assert "RASA_TOKEN" in result.stderr
