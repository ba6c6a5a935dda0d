"""Sentiment of customer text: negative, neutral or positive, with a score in [-1, 1].

Two tiers behind one interface:

- ``vader``: the VADER lexicon and rules. Fast (over 10,000 messages a second on one core) and
  blind to what it has no word for: "great, another delay" comes out positive.
- ``linear`` (the default): a logistic regression over hashed word and character n-grams plus
  VADER's four scores, trained by ``eval/train.py`` on the public data in ``../shared/data`` and
  shipped as ``analysis/models/sentiment.npz``. It reads sarcasm, negation and emoji the way
  the labelled tweets it learned from do, and runs on numpy alone.

``get_model(name)`` returns a shared instance; models are loaded once per process.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import DEFAULT_MODEL
from .cues import PROBLEM, asks_plainly
from .text import clean, words

LABELS = ("negative", "neutral", "positive")
MODELS_DIR = Path(__file__).resolve().parent / "models"

WORD_BUCKETS = 1 << 18
CHAR_BUCKETS = 1 << 18
N_FEATURES = WORD_BUCKETS + CHAR_BUCKETS + 4  # + VADER's neg, neu, pos, compound
VADER_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # one of LABELS
    score: float  # -1 (most negative) .. 1 (most positive)


NO_TEXT = Sentiment("neutral", 0.0)
# Measured on the held-out customer tweets: macro-F1 0.669 -> 0.679, TweetEval -0.002.
PLAIN_QUESTION_MAX_NEGATIVE = 0.8


@functools.cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8"))


def _vader_scores(text: str) -> tuple[float, float, float, float]:
    p = _vader().polarity_scores(clean(text))
    return p["neg"], p["neu"], p["pos"], p["compound"]


def features(text: str) -> tuple[list[int], list[int], tuple[float, float, float, float]]:
    """Hashed word uni/bigram ids, hashed character 2-5-gram ids, and VADER's four scores.

    Ids repeat as often as the n-gram occurs; `weigh` turns them into TF-IDF values.
    """
    tokens = words(text)
    word_ids = [_hash(t) % WORD_BUCKETS for t in tokens]
    word_ids += [_hash(a + " " + b) % WORD_BUCKETS for a, b in itertools.pairwise(tokens)]
    char_ids = []
    for token in tokens:
        padded = f" {token} "
        n_chars = len(padded)
        for n in range(2, 6):
            for i in range(n_chars - n + 1):
                char_ids.append(_hash(padded[i : i + n]) % CHAR_BUCKETS)
    return word_ids, char_ids, _vader_scores(text)


def weigh(ids: list[int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sublinear TF-IDF of one block of hashed ids, L2-normalised: (indices, values)."""
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    index, counts = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
    values = (1.0 + np.log(counts)) * idf[index]
    norm = math.sqrt(float(values @ values)) or 1.0
    return index, (values / norm).astype(np.float32)


POSITIVE_CUES = frozenset(
    "great love loving lovely fantastic brilliant awesome nice perfect wonderful amazing thanks "
    "thank cheers yay excellent superb fab fabulous".split()
)
BAD_EVENTS = re.compile(
    r"^(delay\w*|hold|cancell?ed|late|lost|losing|broken|outage\w*|crash\w*|stuck|overcharg\w*|"
    r"nothing|freez\w*)$"
)
RECOVERY = re.compile(
    r"\b(fix\w*|resolv\w*|sort\w*|solv\w*|restor\w*|recover\w*|back up|working again)\b"
)
SARCASM_MARKERS = re.compile(
    r"#not\b|#sarcasm\b|thanks for nothing|yeah,? right|oh wait,? (?:you|they|it|no)\b|"
    r"what a joke|said no one|(?:^|\s)/s\b",
    re.IGNORECASE,
)
EYE_ROLL = re.compile("[🙄🙃😒]")
NEGATED_NEGATIVE = re.compile(
    r"\b(?:not|never|no|isn't|wasn't|aren't|n't)\s+(?:too\s+|that\s+|so\s+|at all\s+)?"
    r"(?:bad|terrible|awful|disappointed|disappointing|worried|a problem|an issue|complain\w*)\b"
    r"|\bno (?:complaints|problems?|worries)\b|\bcan'?t complain\b",
    re.IGNORECASE,
)


def sarcastic(text: str) -> bool:
    """Praise wrapped around a bad event ("great, another delay"), or an explicit marker."""
    if SARCASM_MARKERS.search(text):
        return True
    tokens = words(text)
    lowered = " ".join(tokens)
    if RECOVERY.search(lowered):
        return False
    for i, token in enumerate(tokens):
        if token in POSITIVE_CUES and any(BAD_EVENTS.match(t) for t in tokens[i + 1 : i + 7]):
            return True
    return False


def adjust(
    text: str, result: Sentiment, vader_compound: float, p_negative: float = 0.0
) -> Sentiment:
    """Correct what a bag of n-grams misreads: sarcasm, negated complaints, plain questions.

    An eye-roll emoji turns only lukewarm praise negative: beside strong praise it is a joke.
    A question with no feeling word and no problem in it ("How do I reset my password?") is
    neutral, unless the model is sure: customers' questions in the training tweets usually
    come with a complaint, so the model leans negative on every question.
    """
    if (
        result.label == "negative"
        and p_negative < PLAIN_QUESTION_MAX_NEGATIVE
        and abs(vader_compound) < 0.05
        and asks_plainly(text)
        and not PROBLEM.search(text)
    ):
        return Sentiment("neutral", result.score)
    if result.label != "negative" and (
        sarcastic(text) or (EYE_ROLL.search(text) and result.score < 0.5)
    ):
        return Sentiment("negative", -abs(result.score) if result.score else -0.5)
    if result.label == "negative" and vader_compound >= 0.05 and NEGATED_NEGATIVE.search(text):
        return Sentiment("positive", round(vader_compound, 4))
    return result


class VaderModel:
    name = "vader"

    def score(self, text: str) -> Sentiment:
        compound = _vader_scores(text)[3]
        if compound >= 0.05:
            label = "positive"
        elif compound <= -0.05:
            label = "negative"
        else:
            label = "neutral"
        return Sentiment(label, round(compound, 4))

    def score_many(self, texts: Iterable[str]) -> list[Sentiment]:
        return [self.score(t) for t in texts]


class LinearModel:
    """Multinomial logistic regression over `features`; weights come from ``eval/train.py``."""

    name = "linear"

    def __init__(self, path: Path | None = None, arrays=None):
        """Load the shipped weights, another .npz file, or arrays straight from training."""
        if arrays is None:
            with np.load(path or MODELS_DIR / "sentiment.npz") as data:
                arrays = {key: data[key] for key in data.files}
        self.version = str(arrays["version"])
        self.word_idf = arrays["word_idf"].astype(np.float32)
        self.char_idf = arrays["char_idf"].astype(np.float32)
        # (n_features, 3) so the rows of a message's features are one gather
        self.weights = np.ascontiguousarray(arrays["weights"].T.astype(np.float32))
        self.bias = arrays["bias"].astype(np.float32)

    def _probabilities(self, text: str) -> tuple[np.ndarray, float]:
        word_ids, char_ids, vader = features(text)
        w_index, w_values = weigh(word_ids, self.word_idf)
        c_index, c_values = weigh(char_ids, self.char_idf)
        logits = self.bias.copy()
        logits += w_values @ self.weights[w_index]
        logits += c_values @ self.weights[WORD_BUCKETS + c_index]
        logits += (np.asarray(vader, dtype=np.float32) * VADER_WEIGHT) @ self.weights[-4:]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum(), vader[3]

    def score(self, text: str) -> Sentiment:
        if not words(text):
            return NO_TEXT
        p, vader_compound = self._probabilities(text)
        result = Sentiment(LABELS[int(p.argmax())], round(float(p[2] - p[0]), 4))
        return adjust(text, result, vader_compound, float(p[0]))

    def probabilities(self, text: str) -> np.ndarray:
        return self._probabilities(text)[0]

    def score_many(self, texts: Iterable[str]) -> list[Sentiment]:
        return [self.score(t) for t in texts]


MODELS = {"vader": VaderModel, "linear": LinearModel}


@functools.cache
def get_model(name: str = DEFAULT_MODEL):
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(
            f"unknown sentiment model {name!r}; choose one of {sorted(MODELS)}"
        ) from None


def score(text: str, model: str = DEFAULT_MODEL) -> Sentiment:
    return get_model(model).score(text)


def score_many(texts: Sequence[str], model: str = DEFAULT_MODEL) -> list[Sentiment]:
    return get_model(model).score_many(texts)
