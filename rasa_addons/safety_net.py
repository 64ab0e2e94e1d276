"""The safety net as a step of Rasa's NLU pipeline (config.yml, after the FallbackClassifier).

Missing a crisis costs far more than a false alarm, so `self_harm` does not have to win the
classifier's ranking to be chosen. A typed message is understood as `self_harm` when

- it has a clear risk phrase (textguards.risk_phrases, the one list the gateway checks too),
  whatever the classifier made of it: the risk mixed into another request ("book me a session
  with Sara, I feel like killing myself"), or a classifier sure of something else; or
- the classifier gives `self_harm` at least `min_confidence`, even if another intent (or the
  fallback) came first. 0.25 was chosen on the dev split (tests/nlu/understanding/dev.yml): no
  message there that isn't a crisis reaches it without already being ranked `self_harm` first.

Button payloads never reach the NLU pipeline.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from textguards.risk_phrases import is_risk

SAFETY_INTENT = "self_harm"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Sets the intent to `self_harm` on a clear risk phrase or a high enough `self_harm` score."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.25}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float(config["min_confidence"])

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
            score = max((float(r.get("confidence") or 0.0) for r in ranking
                         if r.get("name") == SAFETY_INTENT), default=0.0)
            if is_risk(message.get(TEXT)):
                score = 1.0
            if score < self.min_confidence or (message.get(INTENT) or {}).get("name") == (
                    SAFETY_INTENT):
                continue
            caught = {"name": SAFETY_INTENT, "confidence": score}
            others = [r for r in ranking if r.get("name") != SAFETY_INTENT]
            message.set(INTENT, caught, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [caught, *others], add_to_output=True)
        return messages
