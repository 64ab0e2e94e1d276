"""What a lead does with the review queue (/console/review): read it, decide on each message
(an intent or help topic, truly out of scope, or skip), and export the decisions as training
data (bot/core/training_export.py). The lead check itself is the HTTP edge's (`is_lead`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.core.training_export import Batch, Example, TrainingData, example_intent
from bot.store import review
from bot.store.agents import audit
from bot.store.db import Database
from bot.store.models import Agent, ReviewItem, now_utc, utc

DECISIONS = {"label": review.LABELLED, "out_of_scope": review.OUT_OF_SCOPE,
             "skip": review.SKIPPED}
SOURCES_IN_WORDS = {"fallback": "not understood", "out_of_scope": "out of scope",
                    "more_help": "\"I need more help\"",
                    "not_understood": "handed over: not understood"}


class UnknownItem(LookupError):
    pass


class BadDecision(ValueError):
    pass


def item_json(item: ReviewItem) -> dict[str, Any]:
    created = utc(item.created_at)
    return {"id": item.id, "text": item.text, "source": item.source,
            "source_text": SOURCES_IN_WORDS.get(item.source, item.source), "seen": item.seen,
            "status": item.status, "label": item.label,
            "created_at": created.isoformat() if created else None}


class ReviewDesk:
    def __init__(self, db: Database, training: TrainingData,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.db = db
        self.training = training
        self.clock = clock

    def __repr__(self) -> str:
        return f"ReviewDesk(training={self.training!r})"

    async def items(self) -> list[dict[str, Any]]:
        return await self.db.run(lambda session: [item_json(i) for i in review.open_items(session)])

    def labels(self) -> list[dict[str, str]]:
        return [{"name": label.name, "kind": label.kind} for label in self.training.labels()]

    async def decide(self, agent: Agent, item_id: int, decision: str,
                     label: str | None) -> dict[str, Any]:
        status = DECISIONS.get(decision)
        if status is None:
            raise BadDecision("decision must be label, out_of_scope or skip")
        if status == review.LABELLED and label not in {x.name for x in self.training.labels()}:
            raise BadDecision("label must be one of the intents or help topics listed")
        now = self.clock()

        def work(session: Session) -> dict[str, Any]:
            item = review.decide(session, item_id, status, label, agent.id, now)
            if item is None:
                raise UnknownItem(item_id)
            audit(session, agent.id, "review_decision", None, f"item {item_id}: {status}")
            return item_json(item)

        return await self.db.run(work)

    async def export(self, agent_id: str | None) -> dict[str, Any]:
        """Write the decided, not yet exported items as one batch file; mark them exported."""
        return await self.db.run(lambda session: self.export_now(session, agent_id))

    def export_now(self, session: Session, agent_id: str | None) -> dict[str, Any]:
        items = review.to_export(session)
        examples = [Example(i.id, i.text, example_intent(i.status, i.label)) for i in items]
        batch: Batch = self.training.write_batch(examples, self.clock())
        review.mark_exported(items, batch.name)
        if items:
            audit(session, agent_id, "training_export", None,
                  f"batch {batch.name}: {len(batch.written)} written, "
                  f"{len(batch.left_out)} known already")
        return {"batch": batch.name, "file": _shown(batch.path, self.training.root),
                "written": len(batch.written), "already_known": len(batch.left_out)}


def _shown(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
