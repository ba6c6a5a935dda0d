"""Text analysis for Openline: plain Python taking plain data, with no Django import.

Kept apart so models can be evaluated and benchmarked on their own (`make eval`, `make
bench`) and run in any worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import intent as _intent
from . import sentiment as _sentiment

INTENT_RULES_VERSION = "intent-1"
DEFAULT_MODEL = _sentiment.DEFAULT_MODEL
MODELS = tuple(_sentiment.MODELS)


@dataclass(frozen=True, slots=True)
class Analysis:
    sentiment: str  # negative | neutral | positive
    sentiment_score: float  # -1 .. 1
    intent: str  # question | complaint | praise | suggestion | other


def version(model: str = _sentiment.DEFAULT_MODEL) -> str:
    """Names the models that score a message; stored with each result so rescoring finds
    what an older model scored."""
    sentiment_model = _sentiment.get_model(model)
    return f"{getattr(sentiment_model, 'version', sentiment_model.name)}/{INTENT_RULES_VERSION}"


def analyse(text: str, model: str = _sentiment.DEFAULT_MODEL) -> Analysis:
    result = _sentiment.get_model(model).score(text)
    return Analysis(result.label, result.score, _intent.classify(text, result))


def analyse_many(texts: Sequence[str], model: str = _sentiment.DEFAULT_MODEL) -> list[Analysis]:
    return [analyse(text, model) for text in texts]
