"""Similarity of short texts: near-duplicate questions and ideas.

A text becomes one sparse unit vector made of three blocks, each L2-normalised on its own and
then weighted (words 1, characters 1, bigrams 0.5):

- its content words, plural folded ("refunds" is "refund");
- the character 3- and 4-grams of each content word, padded ("<refund>"), so near spellings,
  other inflections and half-typed words still meet ("deliver" ~ "delivery");
- the bigrams of adjacent content words, so word order counts a little.

Term frequencies are sublinear (1 + log tf) and there is no IDF: on the evaluation below an
IDF fitted on the corpus itself gained nothing (AUC 0.911 against 0.912), and without it a
score depends only on the two texts, so `SimilarityIndex` scores exactly like `similarity`,
whatever else is indexed.

`similarity(a, b)` is the cosine of two such vectors: in [0, 1], symmetric, 1.0 for texts with
the same content words and 0.0 when either has none. Stop words, case, punctuation, @mentions
and links do not count. `SimilarityIndex` holds many texts under keys and answers `search` with
the same scores, accumulated with numpy over an inverted index (about 0.5 ms per search over
10,000 questions).

Default thresholds, from `eval/similarity_eval.py` (pairs of tweets about one link, judged
paraphrase or not by six readers: hard negatives, since both tweets share a subject). ROC AUC
0.91; the best F1 is 0.67, at 0.31.
- `SUGGEST_THRESHOLD = 0.3`: about the best-F1 point (precision 0.57, recall 0.81), leaning to
  recall: for suggest-while-typing a related question is still worth showing, and the text is
  half-typed.
- `DUPLICATE_THRESHOLD = 0.5` (precision 0.72, recall 0.53): for `near_duplicates` and merge
  suggestions, where each suggestion costs a reviewer's time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from itertools import pairwise

import numpy as np

from analysis.text import content_words
from analysis.topics import fold

SUGGEST_THRESHOLD = 0.3
DUPLICATE_THRESHOLD = 0.5
CHAR_NGRAMS = (3, 4)
BIGRAM_WEIGHT = 0.5


def _unit(counts: Counter, prefix: str) -> dict[str, float]:
    weights = {f"{prefix}{term}": 1.0 + math.log(n) for term, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {term: w / norm for term, w in weights.items()}


def vector(text: str) -> dict[str, float]:
    """The unit feature vector of `text` (empty when it has no content words)."""
    tokens = [fold(word) for word in content_words(text)]
    if not tokens:
        return {}
    bigrams = Counter(f"{a} {b}" for a, b in pairwise(tokens))
    grams: Counter = Counter()
    for word in dict.fromkeys(tokens):
        padded = f"<{word}>"
        for n in CHAR_NGRAMS:
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    blocks = [(_unit(Counter(tokens), "w:"), 1.0), (_unit(grams, "c:"), 1.0)]
    if bigrams:
        blocks.append((_unit(bigrams, "b:"), BIGRAM_WEIGHT))
    total = sum(weight for _, weight in blocks)
    return {
        term: w * math.sqrt(weight / total) for block, weight in blocks for term, w in block.items()
    }


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, max(0.0, sum(w * b.get(term, 0.0) for term, w in a.items())))


def similarity(a: str, b: str) -> float:
    """How alike two short texts are, in [0, 1]."""
    va, vb = vector(a), vector(b)
    if not va or not vb:
        return 0.0
    if va == vb:
        return 1.0
    return _cosine(va, vb)


class SimilarityIndex:
    """Texts under keys, searchable by similarity; add and remove one at a time.

    Scores are those of `similarity` (up to float rounding). Results are deterministic: equal
    scores keep the order in which the keys were added.
    """

    def __init__(self, items: Iterable[tuple[Hashable, str]] = ()):
        self._vectors: dict[int, dict[str, float]] = {}
        self._keys: dict[int, Hashable] = {}
        self._slot: dict[Hashable, int] = {}
        self._postings: dict[str, dict[int, float]] = {}
        # numpy copies of the posting lists, rebuilt on first use after a change
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._next = 0
        for key, text in items:
            self.add(key, text)

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._slot

    def add(self, key: Hashable, text: str) -> None:
        """Index `text` under `key`, replacing what `key` held before."""
        self.remove(key)
        slot = self._next
        self._next += 1
        vec = vector(text)
        self._vectors[slot] = vec
        self._keys[slot] = key
        self._slot[key] = slot
        for term, weight in vec.items():
            self._postings.setdefault(term, {})[slot] = weight
            self._arrays.pop(term, None)

    def remove(self, key: Hashable) -> None:
        """Forget `key`; a key that is not indexed is ignored."""
        slot = self._slot.pop(key, None)
        if slot is None:
            return
        del self._keys[slot]
        for term in self._vectors.pop(slot):
            posting = self._postings[term]
            del posting[slot]
            if not posting:
                del self._postings[term]
            self._arrays.pop(term, None)

    def _array(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._arrays.get(term)
        if cached is None:
            posting = self._postings[term]
            cached = (
                np.fromiter(posting.keys(), np.int64, len(posting)),
                np.fromiter(posting.values(), np.float64, len(posting)),
            )
            self._arrays[term] = cached
        return cached

    def _scores(self, query: dict[str, float]) -> np.ndarray:
        """The score of every slot against `query` (0 for free slots)."""
        scores = np.zeros(self._next)
        for term in sorted(query):
            if term in self._postings:
                slots, weights = self._array(term)
                scores[slots] += query[term] * weights
        return scores

    def _ranked(self, query, scores, slots, limit=None) -> list[tuple[int, float]]:
        """Slots best first (ties by age), with exact 1.0 for texts equal to the query."""
        order = slots[np.lexsort((slots, -scores[slots]))][:limit]
        result = []
        for slot in order.tolist():
            score = min(1.0, float(scores[slot]))
            if score > 1.0 - 1e-9 and self._vectors[slot] == query:
                score = 1.0
            result.append((slot, score))
        return result

    def search(
        self, text: str, limit: int = 5, threshold: float = SUGGEST_THRESHOLD
    ) -> list[tuple[Hashable, float]]:
        """Up to `limit` (key, score) pairs scoring at least `threshold`, best first."""
        query = vector(text)
        if not query or not self._slot:
            return []
        scores = self._scores(query)
        slots = np.flatnonzero(scores >= max(threshold, 1e-9))
        return [(self._keys[s], score) for s, score in self._ranked(query, scores, slots, limit)]

    def near_duplicates(
        self, threshold: float = DUPLICATE_THRESHOLD
    ) -> list[tuple[Hashable, Hashable, float]]:
        """Pairs of indexed texts scoring at least `threshold`: (older key, newer key, score),
        best first."""
        pairs = []
        for slot, vec in self._vectors.items():
            if not vec:
                continue
            scores = self._scores(vec)
            later = np.flatnonzero(scores[slot + 1 :] >= max(threshold, 1e-9)) + slot + 1
            pairs.extend((score, slot, other) for other, score in self._ranked(vec, scores, later))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        return [(self._keys[a], self._keys[b], score) for score, a, b in pairs]
