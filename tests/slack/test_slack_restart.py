"""A channel conversation's thread outlives the gateway: handed to the team, the gateway
restarted, the agent's reply still lands in the member's thread (not in the channel, not lost)."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.fake_slack import FakeSlack, SlackEvents, new_ts
from tests.helpers.gateway import run_gateway


def test_the_thread_is_kept_across_a_restart(fake_rasa: FakeRasa, fake_slack: FakeSlack,
                                             tmp_path: Path) -> None:
    fake_rasa.replies["a person please"] = [
        {"text": "I'm passing you to the Customer Success team."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    ts, before = new_ts(), len(fake_slack.posts())
    with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, env=fake_slack.gateway_env(),
                     database_url=database_url) as gateway:
        assert SlackEvents(gateway.url).mention("URESTART", "a person please", channel="CROOM",
                                                ts=ts).status_code == 200
        fake_slack.wait_for_text("passing you", after=before)
        console = gateway.console().login()
        [line] = [c for c in console.queue() if c["channel"] == "slack"]

    with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, env=fake_slack.gateway_env(),
                     database_url=database_url) as gateway:
        console = gateway.console().login()
        assert console.claim(line["id"]).status_code == 200
        assert console.reply(line["id"], "Back after the restart").status_code == 200
        reply = fake_slack.wait_for_text("Back after the restart", after=before)
    assert (reply.method, reply.arguments["channel"], reply.arguments["thread_ts"]) == (
        "chat.postMessage", "CROOM", ts)
