"""Account actions only when the assistant is sure (a step of Rasa's NLU pipeline, config.yml).

An account intent shows the client's data (credits, connections, sessions, invoices) or starts a
flow (a booking, a cancellation). The classifier is sure of itself for many messages it never saw
("how many books are in the series" as `ask_credits`), so an account intent is kept only when

- its confidence is at least `min_confidence` and ahead of the runner-up by `min_margin`; and
- for `cancel_session`, the message names a cancellation ("cancel", "call off", "can't make
  it"...): "I need to call Sal" never opens a cancel confirmation.

Otherwise the message is
- `out_of_scope` when the classifier gives that at least `out_of_scope_share` (the honest "that's
  outside what I can help with"), or
- `nlu_fallback` with the account intent ranked right after it: action_fallback then asks first
  ("Do you want to see your remaining credits?", Yes/No) instead of showing data.

The thresholds were chosen on the development split (tests/nlu/understanding/dev.yml).
Button payloads never reach the NLU pipeline, so a "Yes" always runs the action.
"""
from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

ACCOUNT_INTENTS = frozenset({
    "ask_credits", "ask_connections", "ask_upcoming_sessions", "ask_invoices", "resend_invoice",
    "book_session", "cancel_session",
})
OUT_OF_SCOPE = "out_of_scope"
CANCELLATION = "cancel_session"
# Ways of naming a cancellation, typos included.
NAMES_A_CANCELLATION = re.compile(
    r"\b(c[au]n[cs]+[ae]?l+\w*|cancle\w*|cnacel\w*|canel\w*|call(ing|ed)? (it )?off|"
    r"(can ?not|can'?t|cant|won'?t|wont|will not|not able to|unable to|not going to|"
    r"not gonna|couldn'?t|wouldn'?t) (be able to )?(make|come|attend|go|do|join|be there)|"
    r"not (be )?(coming|attending|joining)|"
    r"(drop|delete|remove|scrap|skip|undo|withdraw)\w* (my|the|that|this|our|tomorrow'?s|"
    r"today'?s|next)\b)", re.IGNORECASE)


def names_a_cancellation(text: str | None) -> bool:
    return bool(NAMES_A_CANCELLATION.search((text or "").replace("’", "'")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AccountGate(GraphComponent, IntentClassifier):
    """An unsure account intent becomes `out_of_scope` or an ask-first `nlu_fallback`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.8, "min_margin": 0.5, "out_of_scope_share": 0.1}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float(config["min_confidence"])
        self.min_margin = float(config["min_margin"])
        self.out_of_scope_share = float(config["out_of_scope_share"])

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> AccountGate:
        return cls(config)

    def is_sure(self, name: str, text: str | None, ranking: list[dict[str, Any]]) -> bool:
        scores = {r.get("name"): float(r.get("confidence") or 0.0) for r in ranking}
        best = scores.get(name, 0.0)
        runner_up = max((s for n, s in scores.items() if n != name), default=0.0)
        if name == CANCELLATION and not names_a_cancellation(text):
            return False
        return best >= self.min_confidence and best - runner_up >= self.min_margin

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get("name")
            ranking = message.get(INTENT_RANKING_KEY) or []
            if name not in ACCOUNT_INTENTS or self.is_sure(name, message.get(TEXT), ranking):
                continue
            others = [r for r in ranking if r.get("name") != name]
            unsure_of = [r for r in ranking if r.get("name") == name]
            oos = next((float(r.get("confidence") or 0.0) for r in ranking
                        if r.get("name") == OUT_OF_SCOPE), 0.0)
            if oos >= self.out_of_scope_share:
                chosen = {"name": OUT_OF_SCOPE, "confidence": oos}
                ranked = [chosen, *(r for r in ranking if r.get("name") != OUT_OF_SCOPE)]
            else:
                chosen = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME,
                          "confidence": float(intent.get("confidence") or 0.0)}
                ranked = [chosen, *unsure_of, *others]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranked, add_to_output=True)
        return messages
