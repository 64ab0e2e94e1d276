"""The safety net as a step of Rasa's NLU pipeline (config.yml, after the FallbackClassifier).

Missing a crisis costs far more than a false alarm, so `self_harm` does not have to win the
classifier's ranking to be chosen. A typed message is understood as `self_harm` when

- it has a clear risk phrase (textguards.risk_phrases, the one list the gateway checks too),
  whatever the classifier made of it: the risk mixed into another request ("book me a session
  with Sara, I feel like killing myself"), or a classifier sure of something else; or
- the classifier gives `self_harm` at least `min_confidence`, even if another intent (or the
  fallback) came first. 0.25 was chosen on the dev split (tests/nlu/understanding/dev.yml): no
  message there that isn't a crisis reaches it without already being ranked `self_harm` first.

A second opinion, word-level and clause by clause (rasa_addons/crisis_clauses.py, its score
`crisis_clause_score` on the message): at least `clause_alone` makes the message `self_harm` by
itself (risk said in passing inside another request); below `clause_veto` the classifier's
`self_harm` guess is not believed (a calm message in the tone of crisis ones). Both were chosen
on the dev split; without that step in the pipeline the classifier's guess decides alone.

The classifier's guess is believed only when the message has a word that may speak of risk
(`might_be_risk`, a broad list in textguards): a calm message it is sure of anyway ("can my
husband come along") gets its next intent instead (or `nlu_fallback` below
`fallback_threshold`, the FallbackClassifier's). This runs before the help-topic and account
gates, so they judge the intent that replaces it.

Button payloads never reach the NLU pipeline.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from textguards.risk_phrases import is_risk, might_be_risk

SAFETY_INTENT = "self_harm"
CLAUSE_SCORE = "crisis_clause_score"  # set by rasa_addons/crisis_clauses.py


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Sets the intent to `self_harm` on a clear risk phrase or a high enough `self_harm` score."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.25, "fallback_threshold": 0.45, "clause_alone": 0.8,
                "clause_veto": 0.1}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float(config["min_confidence"])
        self.fallback_threshold = float(config["fallback_threshold"])
        self.clause_alone = float(config["clause_alone"])
        self.clause_veto = float(config["clause_veto"])

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SafetyNet:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            others = [r for r in ranking if r.get("name") not in (
                SAFETY_INTENT, DEFAULT_NLU_FALLBACK_INTENT_NAME)]
            score = max((float(r.get("confidence") or 0.0) for r in ranking
                         if r.get("name") == SAFETY_INTENT), default=0.0)
            text = message.get(TEXT)
            clause = message.get(CLAUSE_SCORE)
            if is_risk(text):
                score = 1.0
            elif not might_be_risk(text) or (clause is not None and clause < self.clause_veto):
                if (message.get(INTENT) or {}).get("name") == SAFETY_INTENT:
                    self.believe_the_next(message, others)
                continue
            elif clause is not None and clause >= self.clause_alone:
                score = max(score, clause)
            if score < self.min_confidence or (message.get(INTENT) or {}).get("name") == (
                    SAFETY_INTENT):
                continue
            caught = {"name": SAFETY_INTENT, "confidence": score}
            message.set(INTENT, caught, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [caught, *others], add_to_output=True)
        return messages

    def believe_the_next(self, message: Message, others: list[dict[str, Any]]) -> None:
        """Not `self_harm` after all: the next intent, or `nlu_fallback` if that one is unsure."""
        following = others[0] if others else None
        if following is None or float(following.get("confidence") or 0.0) < (
                self.fallback_threshold):
            following = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME,
                         "confidence": self.fallback_threshold}
            others = [following, *others]
        message.set(INTENT, following, add_to_output=True)
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)
