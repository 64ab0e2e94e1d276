"""Rasa's own SQL tracker store, for the erasure tests: trackers written by Rasa 3.6's
`SQLTrackerStore` (in Rasa's environment, .venv-rasa) on SQLite or PostgreSQL, so the gateway's
erasure is tested against the tables Rasa really makes.

    save_trackers("sqlite:////tmp/x/rasa-tracker.db", ["conversation-1", ...])
    tracker_events("sqlite:////tmp/x/rasa-tracker.db")  # {sender_id: number of events}

Run as a script by Rasa's Python: `python rasa_tracker_store.py save URL SENDER...`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def save_trackers(url: str, senders: list[str]) -> None:
    env = dict(os.environ, SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([str(RASA_PYTHON), __file__, "save", url, *senders], env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def tracker_events(url: str) -> dict[str, int]:
    """Events per conversation in Rasa's `events` table (read with our SQLAlchemy)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id"))
            return {sender: int(count) for sender, count in rows}
    finally:
        engine.dispose()


def _store(url: str):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from sqlalchemy.engine.url import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(Domain.empty(), dialect="postgresql", host=parsed.host,
                           port=parsed.port, db=parsed.database, username=parsed.username,
                           password=parsed.password, query=dict(parsed.query))


def _save(url: str, senders: list[str]) -> None:
    import asyncio
    import inspect

    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _store(url)
    for sender in senders:
        tracker = DialogueStateTracker.from_events(sender, [
            ActionExecuted("action_listen"), UserUttered("something personal"),
            BotUttered("an answer")])
        saved = store.save(tracker)
        if inspect.isawaitable(saved):
            asyncio.run(saved)
    print(json.dumps({"saved": senders}))


if __name__ == "__main__":
    command, target, *names = sys.argv[1:]
    if command != "save":
        raise SystemExit(f"unknown command {command!r}")
    _save(target, names)
