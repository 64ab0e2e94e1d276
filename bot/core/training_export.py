"""Reviewed examples become training data: `make export-training` and the review page's button.

Each export is one batch, one file `<REVIEW_EXPORT_DIR>/review_<batch>.yml` in Rasa's NLU format
(`version: "3.1"`, `nlu:` with an `intent:` and its `examples: |` per label). An item marked out of
scope is an example of the `out_of_scope` intent. An example already in the training data (any
YAML file under data/, or an earlier batch) or in the held-out test sets (tests/nlu/**, which are
never written to and must stay unseen) is left out; the same text twice in a batch, once. The next
`make run` retrains: the model is named after a hash of data/ (scripts/train.py).

The labels a lead may give are the intents of domain.yml a person could type (not `faq`, the
internal `card_number_shared` or `nlu_fallback`, nor `inform`, whose examples need entities) and
the help topics (`faq/<topic>`) of the training data.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.store.review import OUT_OF_SCOPE, fold

ROOT = Path(__file__).resolve().parents[2]
NOT_LABELS = {"faq", "card_number_shared", "nlu_fallback", "inform"}
OUT_OF_SCOPE_INTENT = "out_of_scope"


@dataclass(frozen=True)
class Label:
    name: str
    kind: str  # "intent" or "help topic"


@dataclass(frozen=True)
class Example:
    item_id: int
    text: str
    intent: str


@dataclass(frozen=True)
class Batch:
    name: str
    path: Path | None  # None: nothing new to write
    written: list[Example]
    left_out: list[Example]  # already known (training data or held-out tests)


class TrainingData:
    def __init__(self, export_dir: Path, root: Path = ROOT) -> None:
        self.root = root
        self.export_dir = export_dir if export_dir.is_absolute() else root / export_dir

    def __repr__(self) -> str:
        return f"TrainingData(export_dir={str(self.export_dir)!r})"

    def labels(self) -> list[Label]:
        domain = _load(self.root / "domain.yml")
        intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
        found = [Label(i, "intent") for i in intents if i not in NOT_LABELS]
        topics = sorted({block["intent"] for block in self._nlu_blocks(self.root / "data")
                         if str(block.get("intent", "")).startswith("faq/")})
        return found + [Label(t, "help topic") for t in topics]

    def known_examples(self) -> set[str]:
        """Every example already trained on (data/, the export folder) or held out (tests/nlu)."""
        known = {fold(text) for block in self._nlu_blocks(self.root / "data")
                 for text in _examples(block)}
        if self.export_dir.is_dir():
            known |= {fold(text) for block in self._nlu_blocks(self.export_dir)
                      for text in _examples(block)}
        for file in sorted((self.root / "tests" / "nlu").rglob("*.yml")):
            known |= {fold(text) for text in _strings(_load(file))}
        return known

    def write_batch(self, examples: Iterable[Example], now: datetime) -> Batch:
        name = now.strftime("%Y%m%d_%H%M%S")
        known = self.known_examples()
        written: list[Example] = []
        left_out: list[Example] = []
        for example in examples:
            if fold(example.text) in known:
                left_out.append(example)
                continue
            known.add(fold(example.text))
            written.append(example)
        if not written:
            return Batch(name, None, written, left_out)
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / f"review_{name}.yml"
        path.write_text(nlu_yaml(written, name), encoding="utf-8")
        return Batch(name, path, written, left_out)

    def _nlu_blocks(self, folder: Path) -> Iterator[dict[str, Any]]:
        for file in sorted(folder.rglob("*.yml")):
            for block in _load(file).get("nlu") or []:
                if isinstance(block, dict) and "intent" in block:
                    yield block


def example_intent(status: str, label: str | None) -> str:
    return OUT_OF_SCOPE_INTENT if status == OUT_OF_SCOPE else str(label)


def nlu_yaml(examples: list[Example], batch: str) -> str:
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(" ".join(example.text.split()))
    lines = ['version: "3.1"', "",
             f"# Reviewed in the console (/console/review), export batch {batch}: messages the",
             "# assistant missed, labelled by a lead (bot/core/training_export.py).", "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in texts]
    return "\n".join(lines) + "\n"


def _load(file: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None
    return loaded if isinstance(loaded, dict) else {}


def _examples(block: dict[str, Any]) -> list[str]:
    raw = block.get("examples")
    if not isinstance(raw, str):
        return []
    return [line.strip()[2:].strip() for line in raw.splitlines() if line.strip().startswith("- ")]


def _strings(value: object) -> Iterator[str]:
    """Every example in a test file, whatever its shape (Rasa's NLU format, or lists of
    messages by intent)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        if isinstance(value.get("examples"), str):
            yield from _examples(value)
            return
        for item in value.values():
            yield from _strings(item)
