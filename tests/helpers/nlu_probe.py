"""Run by Rasa's own environment (.venv-rasa), for tests/rasa/test_review_retrain.py:

    python tests/helpers/nlu_probe.py parse MODEL TEXT...      # one JSON line per text
    python tests/helpers/nlu_probe.py train-nlu DATA_DIR OUT   # NLU-only model; its path

`parse` gives what the whole NLU pipeline (our gates included) makes of each text: the intent,
its confidence, and the help topic the response selector chose. `train-nlu` trains only the NLU
part of config.yml on the NLU files in DATA_DIR (with domain.yml for the help topics).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse(model: str, texts: list[str]) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    for text in texts:
        result = asyncio.run(agent.parse_message(text))
        selector = (result.get("response_selector") or {}).get("faq", {}).get("response", {})
        print(json.dumps({"text": text, "intent": result["intent"]["name"],
                          "confidence": result["intent"]["confidence"],
                          "topic": selector.get("intent_response_key")}), flush=True)


def train_nlu(data: str, out: str) -> None:
    from rasa.model_training import train_nlu as train

    result = train(config=str(ROOT / "config.yml"), nlu_data=data, output=out,
                   domain=str(ROOT / "domain.yml"), fixed_model_name="nlu")
    print(result, flush=True)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    command, *rest = sys.argv[1:]
    if command == "parse":
        parse(rest[0], rest[1:])
    elif command == "train-nlu":
        train_nlu(rest[0], rest[1])
    else:
        raise SystemExit(f"unknown command {command!r}")
