"""The safety net as a step of Rasa's NLU pipeline (config.yml, after the FallbackClassifier).

A typed message with a clear risk phrase (rasa_addons/risk.py) is understood as `self_harm`
whatever the classifier made of it, so the safety reply comes first even when the risk is
mixed into another request ("book me a session with Sara, I feel like killing myself") or the
classifier was sure of something else. Button payloads never reach the NLU pipeline.
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

from rasa_addons.risk import is_risk

SAFETY_INTENT = "self_harm"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RiskPhraseSafetyNet(GraphComponent, IntentClassifier):
    """Sets the intent to `self_harm` for a message with a clear risk phrase."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> RiskPhraseSafetyNet:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if is_risk(message.get(TEXT)):
                caught = {"name": SAFETY_INTENT, "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                           if r.get("name") != SAFETY_INTENT]
                message.set(INTENT, caught, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [caught, *ranking], add_to_output=True)
        return messages
