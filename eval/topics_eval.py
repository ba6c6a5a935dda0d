"""Evaluate analysis.topics: do its topics agree with human categories?

For each labelled corpus, cluster the texts without their labels and compare the topics with
the labels: adjusted Rand index (0 for chance, 1 for the same partition), normalised mutual
information, and purity (the share of messages in their topic's majority label; it rises with
the number of topics, so read it next to the topic count). Two ways of building topics:

- `fit`: batch clustering of the whole corpus (k chosen by the model);
- `assign`: pure incremental, one message at a time from an empty model, as a fresh install
  does;

and for banking77, `fit` on its training questions, then `assign` of the test questions. The
last row times `predict` and `assign` on customer tweets against 50 fitted topics. A baseline
row (scikit-learn TF-IDF + k-means, given the true number of labels) is a reference.

The defaults of TopicModel were tuned on bitext, banking77 train and clinc150 val; banking77
test and clinc150 test were not looked at while tuning.

Run from the checkout: `python eval/topics_eval.py`.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from analysis.topics import TopicModel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _csv(name: str, text: str, label: str) -> tuple[list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [row[text] for row in rows], [row[label] for row in rows]


def _clinc(split: str) -> tuple[list[str], list[str]]:
    data = json.loads((DATA / "clinc150_data_full.json").read_text(encoding="utf-8"))
    return [text for text, _ in data[split]], [label for _, label in data[split]]


def purity(labels: list[str], topics: list) -> float:
    counts: dict = defaultdict(Counter)
    for label, topic in zip(labels, topics, strict=True):
        counts[topic][label] += 1
    return sum(c.most_common(1)[0][1] for c in counts.values()) / len(labels)


def _row(model: str, dataset: str, labels: list[str], topics: list, seconds: float) -> dict:
    # A message with no content words gets no topic; it counts as one more cluster here.
    topics = [-1 if t is None else t for t in topics]
    return {
        "task": "topics",
        "model": model,
        "dataset": dataset,
        "messages": len(labels),
        "labels": len(set(labels)),
        "topics": len(set(topics)),
        "ari": round(adjusted_rand_score(labels, topics), 3),
        "nmi": round(normalized_mutual_info_score(labels, topics), 3),
        "purity": round(purity(labels, topics), 3),
        "msgs_per_s": round(len(labels) / seconds),
    }


def _fit(texts: list[str]) -> tuple[list, float]:
    start = time.perf_counter()
    topics = TopicModel().fit(texts)
    return topics, time.perf_counter() - start


def _assign(texts: list[str], model: TopicModel | None = None) -> tuple[list, float]:
    model = model or TopicModel()
    start = time.perf_counter()
    topics = [model.assign(text).topic_id for text in texts]
    return topics, time.perf_counter() - start


def _baseline(texts: list[str], k: int) -> tuple[list, float]:
    """A reference point: scikit-learn's TF-IDF and k-means, told the true number of labels."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    start = time.perf_counter()
    matrix = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=2
    ).fit_transform(texts)
    topics = KMeans(k, n_init=2, random_state=0).fit_predict(matrix)
    return topics.tolist(), time.perf_counter() - start


def run() -> list[dict]:
    rows = []
    bitext_texts, category = _csv("bitext_cs_4514.csv", "instruction", "category")
    _, intent = _csv("bitext_cs_4514.csv", "instruction", "intent")
    corpora = [
        ("bitext_cs_4514", bitext_texts, {"category": category, "intent": intent}),
        ("banking77_test", *_single("intent", _csv("banking77_test.csv", "text", "category"))),
        ("clinc150_test", *_single("intent", _clinc("test"))),
    ]
    for name, texts, label_sets in corpora:
        for mode, build in (("fit", _fit), ("assign", _assign)):
            topics, seconds = build(texts)
            for label_name, labels in label_sets.items():
                dataset = f"{name} ({label_name})"
                rows.append(_row(f"TopicModel.{mode}", dataset, labels, topics, seconds))
        for label_name, labels in label_sets.items():
            topics, seconds = _baseline(texts, len(set(labels)))
            dataset = f"{name} ({label_name})"
            rows.append(
                _row(
                    "baseline: sklearn tf-idf + k-means, k = #labels",
                    dataset,
                    labels,
                    topics,
                    seconds,
                )
            )

    train, _ = _csv("banking77_train.csv", "text", "category")
    test, labels = _csv("banking77_test.csv", "text", "category")
    model = TopicModel()
    model.fit(train)
    topics, seconds = _assign(test, model)
    rows.append(
        _row("TopicModel.fit(train)+assign", "banking77_test (intent)", labels, topics, seconds)
    )
    rows.append(_speed_row())
    return rows


def _speed_row() -> dict:
    """Messages per second on customer tweets, against a model of 50 topics."""
    with (DATA / "twcs_sample_5000.csv").open(encoding="utf-8", newline="") as fh:
        tweets = [row["text"] for row in csv.DictReader(fh) if row["inbound"] == "True"]
    half = len(tweets) // 2
    model = TopicModel()
    model.fit(tweets[:half], k=50)
    start = time.perf_counter()
    for text in tweets[half:]:
        model.predict(text)
    predict = time.perf_counter() - start
    start = time.perf_counter()
    for text in tweets[half:]:
        model.assign(text)
    assign = time.perf_counter() - start
    return {
        "task": "topics",
        "model": "TopicModel speed, 50 fitted topics",
        "dataset": "twcs_sample_5000 (customer tweets)",
        "messages": len(tweets) - half,
        "topics": len(model.topics()),
        "predict_per_s": round((len(tweets) - half) / predict),
        "assign_per_s": round((len(tweets) - half) / assign),
    }


def _single(name: str, pair: tuple[list[str], list[str]]) -> tuple[list, dict[str, list]]:
    texts, labels = pair
    return texts, {name: labels}


if __name__ == "__main__":
    for row in run():
        print(row)
