"""Text analysis for Openline: plain Python taking plain data, with no Django import.

Kept apart so models can be evaluated and benchmarked on their own (`make eval`, `make
bench`) and run in any worker.

Importing the package is cheap: the models (NumPy, VADER's lexicon, the trained weights) load
on first use, so a web process that only needs, say, `analysis.query` never pays for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INTENT_RULES_VERSION = "intent-1"
DEFAULT_MODEL = "linear"  # the sentiment tier used unless one is named (analysis.sentiment)
MODEL_NAMES = ("vader", "linear")  # analysis.sentiment.MODELS, without importing the models


def __getattr__(name: str):
    if name == "MODELS":
        return MODEL_NAMES
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class Analysis:
    sentiment: str  # negative | neutral | positive
    sentiment_score: float  # -1 .. 1
    intent: str  # question | complaint | praise | suggestion | other


def version(model: str = DEFAULT_MODEL) -> str:
    """Names the models that score a message; stored with each result so rescoring finds
    what an older model scored."""
    from . import sentiment

    sentiment_model = sentiment.get_model(model)
    return f"{getattr(sentiment_model, 'version', sentiment_model.name)}/{INTENT_RULES_VERSION}"


def analyse(text: str, model: str = DEFAULT_MODEL) -> Analysis:
    from . import intent, sentiment

    result = sentiment.get_model(model).score(text)
    return Analysis(result.label, result.score, intent.classify(text, result))


def analyse_many(texts: Sequence[str], model: str = DEFAULT_MODEL) -> list[Analysis]:
    return [analyse(text, model) for text in texts]
