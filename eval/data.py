"""Loaders for the public labelled data in ../shared/data, split the same way everywhere.

TweetEval ships no training text here, so its ``val`` set and 2/3 of its ``test`` set train the
models and a fixed third of ``test`` (4,000 tweets, drawn with a fixed seed) is held out: no model
shipped by Openline has seen those tweets. The hand-labelled customer tweets (eval/twcs_labels.csv)
are split in two: the even rows train, the odd rows are held out.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LABELS_CSV = Path(__file__).resolve().parent / "twcs_labels.csv"
SENTIMENT = ("negative", "neutral", "positive")
HOLDOUT_SIZE = 4000
SEED = 7


class MissingData(RuntimeError):
    pass


def _path(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        raise MissingData(f"{path} is missing: the evaluation data lives in ../shared/data")
    return path


def _tweeteval(part: str) -> tuple[list[str], list[str]]:
    texts = _path(f"tweeteval_sentiment_{part}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = _path(f"tweeteval_sentiment_{part}_labels.txt").read_text().split()
    assert len(texts) == len(labels), part
    return texts, [SENTIMENT[int(x)] for x in labels]


def tweeteval_split() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held-out) lists of (text, sentiment)."""
    val = list(zip(*_tweeteval("val"), strict=True))
    test = list(zip(*_tweeteval("test"), strict=True))
    order = list(range(len(test)))
    random.Random(SEED).shuffle(order)
    held = [test[i] for i in order[:HOLDOUT_SIZE]]
    train = val + [test[i] for i in order[HOLDOUT_SIZE:]]
    return train, held


def uci_reviews() -> list[tuple[str, str]]:
    """Review sentences from Amazon, Yelp and IMDb: (text, negative|positive)."""
    rows = []
    for name in ("amazon_cells", "yelp", "imdb"):
        text = _path(f"uci_{name}_labelled.txt").read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            sentence, _, label = line.rpartition("\t")
            if sentence and label.strip() in ("0", "1"):
                rows.append((sentence.strip(), "positive" if label.strip() == "1" else "negative"))
    return rows


def customer_tweets(part: str = "test") -> list[dict]:
    """Hand-labelled customer tweets: dicts with text, sentiment and intent.

    The even rows ("train") teach the default sentiment model how customers write to a brand;
    the odd rows ("test") are never trained on; "all" gives both.
    """
    with _path("twcs_sample_5000.csv").open(encoding="utf-8", newline="") as fh:
        texts = {row["tweet_id"]: row["text"] for row in csv.DictReader(fh)}
    with LABELS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [
            {"text": texts[row["tweet_id"]], "sentiment": row["sentiment"], "intent": row["intent"]}
            for row in csv.DictReader(fh)
        ]
    return {"train": rows[0::2], "test": rows[1::2], "all": rows}[part]


def clinc_texts(split: str = "test") -> list[tuple[str, str]]:
    data = json.loads(_path("clinc150_data_full.json").read_text(encoding="utf-8"))
    return [(text, label) for text, label in data[split]]


def bitext() -> list[dict]:
    with _path("bitext_cs_4514.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
