"""Measures what the assistant understands, on messages it was never trained on.

Runs in Rasa's environment (Python 3.10): loads a trained model and passes every message of a
split (tests/nlu/understanding/<split>.yml) through the model's whole NLU pipeline, as the
server would: the classifier, the fallback threshold, the help-topic selector and the safety
net. What the assistant then does with a message is one of:

- crisis:     the `self_harm` intent, answered with the safety reply;
- declined:   `out_of_scope` ("outside what I can help with") or `nlu_fallback` ("didn't get
              that, did you mean…"): no answer about anything it does;
- answered:   any other intent, a help topic as `faq/<topic>`.

The figures, each a share of the set named (its size is printed beside it):

- in-scope accuracy:     in-scope messages answered as their intent (help topics: the topic);
                        the seed's questions (section `seed_questions`) are in-scope messages;
- core accuracy:         the same for the `in_scope` section alone (without the seed's questions);
- in-scope F1:           F1 of each in-scope label (intent or help topic) on the in-scope
                        messages, weighted by the label's share (as `rasa test nlu` reports it);
- seed questions:        for each of the seed's questions, the share of its phrasings answered
                        with its help topic;
- out-of-scope:          out-of-scope messages recognised as such (the `out_of_scope` reply);
- leak:                  out-of-scope messages that showed account data or started an account
                        action (credits, connections, sessions, invoices, a booking, a
                        cancellation): the issue's "account data shown by accident";
- answered:              out-of-scope messages answered as if they were something it does (any
                        intent or help topic: the leak above, a wrong help topic, a greeting...);
- asked first:           out-of-scope messages that got "did you mean…" / "Do you want to…?";
- crisis recall:         crisis messages that get the safety reply;
- false alarms:          not-crisis messages that get the safety reply;
- crisis precision:      of every safety reply over all four sets, the share on a crisis message.

    .venv-rasa/bin/python scripts/understanding.py --model models/model-….tar.gz \
        [--split dev|test|all] [--json out.json] [--misses]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "nlu" / "understanding"
DECLINED = {"out_of_scope", "nlu_fallback"}
ACCOUNT = {"ask_credits", "ask_connections", "ask_upcoming_sessions", "ask_invoices",
           "resend_invoice", "book_session", "cancel_session", "change_booking"}
CRISIS = "self_harm"


def load_split(name: str) -> dict[str, Any]:
    return yaml.safe_load((SETS / f"{name}.yml").read_text(encoding="utf-8"))


def outcome(parse: dict[str, Any]) -> str:
    """What the assistant does with a parsed message: crisis, declined, or the answer's label."""
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    if intent == CRISIS:
        return "crisis"
    if intent in DECLINED:
        return f"declined:{intent}"
    if intent == "faq":
        key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response")
               or {}).get("intent_response_key")
        return key or "faq"
    return intent


def share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def in_scope_of(split: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, message) for every in-scope message, the seed's questions included."""
    labelled = [(label, text) for label, texts in split["in_scope"].items() for text in texts]
    for question in (split.get("seed_questions") or {}).values():
        labelled += [(question["answer"], text) for text in question["phrasings"]]
    return labelled


def weighted_f1(labelled: list[tuple[str, str]], results: dict[str, str]) -> float:
    """Per-label F1 on the in-scope messages, weighted by each label's number of messages."""
    labels = sorted({label for label, _ in labelled})
    total = 0.0
    for label in labels:
        tp = sum(1 for lab, t in labelled if lab == label and results[t] == label)
        fp = sum(1 for lab, t in labelled if lab != label and results[t] == label)
        fn = sum(1 for lab, t in labelled if lab == label and results[t] != label)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        total += f1 * sum(1 for lab, _ in labelled if lab == label)
    return round(total / len(labelled), 3) if labelled else 0.0


def seed_figures(split: dict[str, Any], results: dict[str, str]) -> dict[str, Any]:
    return {name: {"n": len(q["phrasings"]),
                   "answered": share(sum(results[t] == q["answer"] for t in q["phrasings"]),
                                     len(q["phrasings"]))}
            for name, q in (split.get("seed_questions") or {}).items()}


def score(split: dict[str, Any], results: dict[str, str]) -> dict[str, Any]:
    """The figures for one split, from message -> outcome, with the misses of each set."""
    in_scope = in_scope_of(split)
    oos, crisis, calm = split["out_of_scope"], split["crisis"], split["not_crisis"]
    right = [t for label, t in in_scope if results[t] == label]
    core = [(label, t) for label, texts in split["in_scope"].items() for t in texts]
    recognised = [t for t in oos if results[t] == "declined:out_of_scope"]
    answered = [t for t in oos
                if results[t] != "crisis" and not results[t].startswith("declined")]
    leaked = [t for t in answered if results[t] in ACCOUNT]
    caught = [t for t in crisis if results[t] == "crisis"]
    alarms = [t for t in calm if results[t] == "crisis"]
    every_alarm = [t for t in [*(t for _, t in in_scope), *oos, *calm] if results[t] == "crisis"]
    return {
        "in_scope": {"n": len(in_scope), "accuracy": share(len(right), len(in_scope)),
                     "f1": weighted_f1(in_scope, results),
                     "core_accuracy": share(sum(results[t] == label for label, t in core),
                                            len(core)),
                     "seed_questions": seed_figures(split, results),
                     "declined": share(sum(results[t].startswith("declined")
                                           for _, t in in_scope), len(in_scope)),
                     "misses": [f"{t!r}: {label} -> {results[t]}" for label, t in in_scope
                                if results[t] != label]},
        "out_of_scope": {"n": len(oos), "recognised": share(len(recognised), len(oos)),
                         "leak": share(len(leaked), len(oos)),
                         "answered": share(len(answered), len(oos)),
                         "asked_first": share(sum(results[t] == "declined:nlu_fallback"
                                                  for t in oos), len(oos)),
                         "misses": [f"{t!r} -> {results[t]}" for t in oos
                                    if t not in recognised]},
        "crisis": {"n": len(crisis), "recall": share(len(caught), len(crisis)),
                   "precision": share(len(caught), len(caught) + len(every_alarm)),
                   "misses": [f"{t!r} -> {results[t]}" for t in crisis if t not in caught]},
        "not_crisis": {"n": len(calm), "false_alarms": share(len(alarms), len(calm)),
                       "alarms_elsewhere": [t for t in every_alarm if t not in alarms],
                       "misses": [f"{t!r} -> crisis" for t in alarms]},
    }


def key(text: str) -> str:
    """The words, lower-case, apostrophes dropped ("can't log in" is "cant log in"): how a message
    is compared with the training data and the other split."""
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower().replace("'", "").replace("’", "")))


def trained_on(texts: list[str]) -> list[str]:
    """The messages that also appear in the training data (data/nlu): none may."""
    from rasa.shared.nlu.training_data.loading import load_data

    training = {key(m.get("text") or "") for m in load_data(str(ROOT / "data" / "nlu"))
                .intent_examples}
    return [t for t in texts if key(t) in training]


def messages_of(split: dict[str, Any]) -> list[str]:
    texts = [t for _, t in in_scope_of(split)]
    return texts + split["out_of_scope"] + split["crisis"] + split["not_crisis"]


async def parse_all(model: Path, texts: list[str]) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))  # the model's pipeline loads rasa_addons
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return {text: outcome(await agent.parse_message(text)) for text in texts}


def summary(name: str, figures: dict[str, Any]) -> str:
    i, o, c, n = (figures[k] for k in ("in_scope", "out_of_scope", "crisis", "not_crisis"))
    seed = ", ".join(f"{q} {f['answered']:.2f} (n={f['n']})"
                     for q, f in i["seed_questions"].items())
    return (f"{name}: in-scope F1 {i['f1']:.3f}, accuracy {i['accuracy']:.3f} (n={i['n']}, "
            f"declined {i['declined']:.3f}); out-of-scope recognised {o['recognised']:.3f}, "
            f"leak {o['leak']:.3f}, answered {o['answered']:.3f}, asked first "
            f"{o['asked_first']:.3f} (n={o['n']}); crisis recall {c['recall']:.3f} "
            f"(n={c['n']}), precision {c['precision']:.3f}; false alarms "
            f"{n['false_alarms']:.3f} (n={n['n']})\n  seed questions: {seed}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--split", default="all", choices=["dev", "test", "all"])
    parser.add_argument("--json", type=Path, help="write the figures (and misses) here")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.disable(logging.WARNING)
    names = ["dev", "test"] if args.split == "all" else [args.split]
    splits = {name: load_split(name) for name in names}
    texts = sorted({t for split in splits.values() for t in messages_of(split)})
    seen = trained_on(texts)
    if seen:
        print("These messages are in the training data too (data/nlu): "
              + "; ".join(repr(t) for t in seen))
        return 2
    results = asyncio.run(parse_all(args.model, texts))
    figures = {name: score(split, results) for name, split in splits.items()}
    for name in names:
        print(summary(name, figures[name]))
        if args.misses:
            for part, values in figures[name].items():
                for miss in values["misses"]:
                    print(f"  {part}: {miss}")
                for alarm in values.get("alarms_elsewhere", []):
                    print(f"  false alarm outside not_crisis: {alarm!r}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
