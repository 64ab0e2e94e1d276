"""The Rasa project itself: valid data, every flow predicted right, and an NLU quality gate."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bot.processes import RASA, ROOT

MIN_INTENT_F1 = 0.90
RASA_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(ROOT)}


def rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RASA), *args], cwd=ROOT, env=RASA_ENV, capture_output=True,
                          text=True, check=False)


def test_training_data_is_valid():
    """`rasa data validate` finds no errors in the domain, NLU data, stories and rules."""
    result = rasa("data", "validate", "--domain", "domain.yml", "--data", "data")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]


def test_every_conversation_flow_is_predicted(model: Path, tmp_path: Path):
    """The test stories in tests/conversations pass against the trained model, without a miss."""
    result = rasa("test", "core", "--model", str(model), "--stories", "tests/conversations",
                  "--fail-on-prediction-errors", "--out", str(tmp_path))
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details + result.stdout[-3000:] + result.stderr[-3000:]


def test_intents_are_understood_on_held_out_examples(model: Path, tmp_path: Path):
    """Intent F1 on tests/nlu/holdout.yml (never used in training) is at least 0.90."""
    result = rasa("test", "nlu", "--model", str(model), "--nlu", "tests/nlu/holdout.yml",
                  "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    intents = json.loads((tmp_path / "intent_report.json").read_text())
    f1 = intents["weighted avg"]["f1-score"]
    print(f"\nHeld-out intent F1 (weighted): {f1:.3f}")
    selector = tmp_path / "response_selection_report.json"
    if selector.exists():
        topics = json.loads(selector.read_text())
        print(f"Held-out help-topic F1 (weighted): {topics['weighted avg']['f1-score']:.3f}")
    worst = sorted((v["f1-score"], k) for k, v in intents.items()
                   if isinstance(v, dict) and "support" in v and k not in (
                       "micro avg", "macro avg", "weighted avg", "accuracy"))[:5]
    print("Weakest intents: " + ", ".join(f"{k} {s:.2f}" for s, k in worst))
    assert f1 >= MIN_INTENT_F1
