"""A second, word-level opinion on risk, clause by clause (a step of Rasa's NLU pipeline).

The intent classifier reads a message whole, so risk said in passing inside another request
("how many credits do I have, not that it matters, I won't be here next week") is drowned by
the request, and its `self_harm` score for a calm message that shares the tone of crisis ones
("I'd die for a slot on saturday") varies from one training to the next. This step is trained
on the same examples (`self_harm` against every other intent) as a logistic regression over
word and character n-grams, which no training order changes, and scores each clause of a
message on its own (split at punctuation and at "but", "and", "also", "though"...). It sets
`crisis_clause_score` on the message, the highest clause's probability; the safety net
(rasa_addons/safety_net.py) weighs it with the classifier's guess. It never changes the intent.

Nothing is downloaded: scikit-learn's stateless hashing vectorisers and its logistic regression,
stored as two numpy arrays in the model.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from textguards.risk_phrases import normalise

SCORE = "crisis_clause_score"
SAFETY_INTENT = "self_harm"
_CLAUSE_BREAK = re.compile(
    r"[.,;:!?\n]+|\s(?:but|and|also|though|although|anyway|because|cause|cos|so|btw|plus)\s",
    re.IGNORECASE)
_FEATURES = 2 ** 18


def clauses(text: str) -> list[str]:
    """The message and each of its clauses of at least two words."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(text or "")]
    return [text] + [p for p in parts if len(p.split()) >= 2 and p != text]


def _vectorisers() -> tuple[HashingVectorizer, HashingVectorizer]:
    words = HashingVectorizer(n_features=_FEATURES, ngram_range=(1, 2), alternate_sign=False,
                              norm="l2", preprocessor=normalise)
    letters = HashingVectorizer(n_features=_FEATURES, analyzer="char_wb", ngram_range=(2, 4),
                                alternate_sign=False, norm="l2", preprocessor=normalise)
    return words, letters


def _features(texts: list[str]) -> Any:
    from scipy.sparse import hstack

    words, letters = _vectorisers()
    return hstack([words.transform(texts), letters.transform(texts)]).tocsr()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CrisisClauses(GraphComponent):
    """Scores each clause of a message for risk; sets `crisis_clause_score`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 4.0}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 weights: np.ndarray | None = None, bias: float = 0.0) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.weights = weights
        self.bias = bias

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisClauses:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts = [m.get(TEXT) for m in examples]
        labels = [int(m.get(INTENT) == SAFETY_INTENT) for m in examples]
        if sum(labels) and sum(labels) < len(labels):
            model = LogisticRegression(C=float(self.config["C"]), class_weight="balanced",
                                       max_iter=2000)
            model.fit(_features(texts), labels)
            self.weights = model.coef_[0].astype(np.float32)
            self.bias = float(model.intercept_[0])
        self.persist()
        return self.resource

    def persist(self) -> None:
        with self.model_storage.write_to(self.resource) as folder:
            if self.weights is not None:
                np.save(folder / "weights.npy", self.weights, allow_pickle=False)
                np.save(folder / "bias.npy", np.array([self.bias]), allow_pickle=False)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CrisisClauses:
        try:
            with model_storage.read_from(resource) as folder:
                weights = np.load(folder / "weights.npy", allow_pickle=False)
                bias = float(np.load(folder / "bias.npy", allow_pickle=False)[0])
        except (ValueError, FileNotFoundError, OSError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, weights, bias)

    def score(self, text: str) -> float:
        """The highest probability of risk over the message and its clauses."""
        if self.weights is None or not text:
            return 0.0
        logits = _features(clauses(text)) @ self.weights + self.bias
        return float(1.0 / (1.0 + np.exp(-np.max(logits))))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.weights is None:  # no trained weights: no opinion (the classifier decides alone)
            return messages
        for message in messages:
            message.set(SCORE, self.score(message.get(TEXT) or ""))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
