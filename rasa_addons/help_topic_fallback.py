"""A help-topic answer only when the help-topic selector knows which topic (config.yml).

The intent classifier is sure of itself even for a question about something else entirely:
"how do I get a promotion at work" comes out as the `faq` intent at 1.00. The ResponseSelector,
a second model trained on the help topics alone, is not: for such a message it spreads its
confidence over several topics, while for a real help-topic question it names one topic at
0.95 and more. So when the classifier says `faq` and the selector's best topic is below
`threshold`, the message is treated as not understood (`nlu_fallback`): the assistant offers
the closest topics as buttons instead of answering a question nobody asked.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

RESPONSE_SELECTOR = "response_selector"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HelpTopicFallback(GraphComponent, IntentClassifier):
    """`faq` with an unsure help-topic selector becomes `nlu_fallback`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.8}

    def __init__(self, config: dict[str, Any]) -> None:
        self.retrieval_intent = config["retrieval_intent"]
        self.threshold = float(config["threshold"])

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> HelpTopicFallback:
        return cls(config)

    def topic_confidence(self, selector: dict[str, Any]) -> float:
        response = (selector.get(self.retrieval_intent) or {}).get("response") or {}
        return float(response.get("confidence") or 0.0)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != self.retrieval_intent:
                continue
            confidence = self.topic_confidence(message.get(RESPONSE_SELECTOR) or {})
            if confidence >= self.threshold:
                continue
            unsure = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": confidence}
            message.set(INTENT, unsure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [unsure, *(message.get(INTENT_RANKING_KEY) or [])],
                        add_to_output=True)
        return messages
