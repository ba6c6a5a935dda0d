"""Evaluate analysis.similarity on the Twitter-URL paraphrase corpus, and time the index.

Pairs are tweets about one link; six readers judged each pair: a paraphrase when at least 4
said so, not one when at most 2 did (3 is left out). Reports ROC AUC, the best F1 and the
threshold giving it, precision and recall at the module's default thresholds, and pairs scored
per second. A second row times
`SimilarityIndex.search` over 10,000 banking questions (as if they were idea titles), queried
with half-typed questions from the banking77 test set.

Run from the checkout: `python eval/similarity_eval.py`.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_auc_score

from analysis.similarity import (
    DUPLICATE_THRESHOLD,
    SUGGEST_THRESHOLD,
    SimilarityIndex,
    similarity,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VOTES_RE = re.compile(r"^\((\d),\s*(\d)\)$")


def paraphrase_pairs() -> list[tuple[str, str, int]]:
    """(a, b, 1 if paraphrase else 0), leaving out the undecided pairs and blank lines."""
    pairs = []
    text = (DATA / "twitter_url_paraphrase_test.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        fields = line.split("\t")
        votes = next((VOTES_RE.match(f.strip()) for f in fields if VOTES_RE.match(f.strip())), None)
        if len(fields) < 3 or votes is None:
            continue
        yes = int(votes.group(1))
        if yes != 3:
            pairs.append((fields[0].strip(), fields[1].strip(), int(yes >= 4)))
    return pairs


def best_f1(labels: list[int], scores: list[float]) -> tuple[float, float]:
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1]))
    return float(f1[best]), float(thresholds[best])


def precision_recall(labels: list[int], scores: list[float], threshold: float):
    hits = [y for y, s in zip(labels, scores, strict=True) if s >= threshold]
    true = sum(hits)
    return true / max(1, len(hits)), true / max(1, sum(labels))


def paraphrase_row() -> dict:
    pairs = paraphrase_pairs()
    start = time.perf_counter()
    scores = [similarity(a, b) for a, b, _ in pairs]
    elapsed = time.perf_counter() - start
    labels = [y for _, _, y in pairs]
    f1, threshold = best_f1(labels, scores)
    at_suggest = precision_recall(labels, scores, SUGGEST_THRESHOLD)
    at_duplicate = precision_recall(labels, scores, DUPLICATE_THRESHOLD)
    return {
        "task": "similarity",
        "model": "similarity()",
        "dataset": "twitter_url_paraphrase_test",
        "pairs": len(pairs),
        "paraphrases": sum(labels),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "best_f1": round(f1, 4),
        "threshold": round(threshold, 3),
        "p_r_at_suggest_threshold": [round(x, 3) for x in at_suggest],
        "p_r_at_duplicate_threshold": [round(x, 3) for x in at_duplicate],
        "pairs_per_s": round(len(pairs) / elapsed),
    }


def search_row() -> dict:
    with (DATA / "banking77_train.csv").open(encoding="utf-8", newline="") as fh:
        titles = [row["text"] for row in csv.DictReader(fh)][:10000]
    with (DATA / "banking77_test.csv").open(encoding="utf-8", newline="") as fh:
        queries = [row["text"] for row in csv.DictReader(fh)][:500]
    # Half-typed: the first two thirds of each question, as while typing.
    queries = [q[: max(8, len(q) * 2 // 3)] for q in queries]
    start = time.perf_counter()
    index = SimilarityIndex(enumerate(titles))
    built = time.perf_counter() - start
    start = time.perf_counter()
    found = sum(1 for q in queries if index.search(q, limit=5, threshold=SUGGEST_THRESHOLD))
    elapsed = time.perf_counter() - start
    return {
        "task": "similarity",
        "model": "SimilarityIndex.search",
        "dataset": "banking77 (10,000 indexed, 500 half-typed queries)",
        "indexed": len(titles),
        "build_s": round(built, 2),
        "ms_per_search": round(1000 * elapsed / len(queries), 2),
        "answered": round(found / len(queries), 3),
    }


def run() -> list[dict]:
    return [paraphrase_row(), search_row()]


if __name__ == "__main__":
    for row in run():
        print(row)
