"""`make eval`: how well and how fast each analysis model does on data it never trained on.

    .venv/bin/python -m eval [--quick]

Prints one table per task. Sentiment: accuracy and macro-F1 of each tier on held-out TweetEval
tweets, on the held-out half of the hand-labelled customer tweets (eval/twcs_labels.csv), and
across datasets (a model
trained on one source, tested on another). Intent: the same on the customer tweets. Then topic
agreement with human categories and near-duplicate detection (eval/topics_eval.py,
eval/similarity_eval.py), messages per second on one core, and the memory a worker holding the
default model uses. `--quick` skips the cross-dataset retraining (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import intent, sentiment  # noqa: E402
from eval import data, train  # noqa: E402

GOAL_F1 = 0.72
GOAL_RATE = 500
GOAL_RSS_MB = 500


def _scores(model, rows, labels=None) -> dict:
    texts = [t for t, _ in rows]
    truth = [label for _, label in rows]
    started = time.perf_counter()
    predicted = [model.score(t).label for t in texts]
    elapsed = time.perf_counter() - started
    return {
        "n": len(rows),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro", labels=labels),
        "per_second": len(rows) / elapsed,
    }


def sentiment_rows(quick: bool) -> list[dict]:
    _train_rows, held = data.tweeteval_split()
    customers = [(r["text"], r["sentiment"]) for r in data.customer_tweets()]
    reviews = data.uci_reviews()
    rows = []
    shipped = {"vader": "(lexicon)", "linear": "TweetEval train + UCI + customer tweets (even)"}
    for name in ("vader", "linear"):
        model = sentiment.get_model(name)
        for tested_on, test_rows in (
            ("TweetEval held-out", held),
            ("customer tweets (odd rows)", customers),
        ):
            rows.append(
                {"model": name, "trained_on": shipped[name], "tested_on": tested_on}
                | _scores(model, test_rows)
            )
    if quick:
        return rows
    # Cross-dataset: train on one source only, test on the others.
    train_rows, _ = data.tweeteval_split()
    on_tweets = sentiment.LinearModel(arrays=train.train(train_rows))
    on_reviews = sentiment.LinearModel(arrays=train.train(reviews))
    binary = ["negative", "positive"]
    rows.append(
        {"model": "linear", "trained_on": "TweetEval train", "tested_on": "UCI reviews"}
        | _scores(on_tweets, reviews, labels=binary)
    )
    rows.append(
        {"model": "linear", "trained_on": "TweetEval train", "tested_on": "customer tweets"}
        | _scores(on_tweets, customers)
    )
    rows.append(
        {"model": "linear", "trained_on": "UCI reviews", "tested_on": "TweetEval held-out"}
        | _scores(on_reviews, held)
    )
    rows.append(
        {"model": "linear", "trained_on": "UCI reviews", "tested_on": "customer tweets"}
        | _scores(on_reviews, customers)
    )
    rows.append(
        {"model": "vader", "trained_on": "(lexicon)", "tested_on": "UCI reviews"}
        | _scores(sentiment.get_model("vader"), reviews, labels=binary)
    )
    return rows


def intent_rows() -> list[dict]:
    labelled = data.customer_tweets("test")
    truth = [r["intent"] for r in labelled]
    rows = []
    for name in ("vader", "linear"):
        model = sentiment.get_model(name)
        started = time.perf_counter()
        predicted = [intent.classify(r["text"], model.score(r["text"])) for r in labelled]
        elapsed = time.perf_counter() - started
        rows.append(
            {
                "model": f"rules + {name} sentiment",
                "tested_on": "customer tweets (odd rows)",
                "n": len(labelled),
                "accuracy": accuracy_score(truth, predicted),
                "macro_f1": f1_score(truth, predicted, average="macro"),
                "per_second": len(labelled) / elapsed,
            }
        )
    return rows


WORKER_PROBE = """
import os, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openline.settings")
os.environ.setdefault("OPENLINE_DATA_DIR", "/tmp/openline-eval-probe")
import django
django.setup()
import analysis, conversations.scoring, huey.contrib.djhuey  # what a worker imports
analysis.analyse_many(["warming up the model", "great, another delay"] * 50)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]) / 1024)
"""


def worker_memory_mb() -> float:
    """Peak resident memory of a fresh process that loads Django and scores with the default."""
    out = subprocess.run(
        [sys.executable, "-c", WORKER_PROBE.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def print_table(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))

    def cell(value):
        if isinstance(value, float):
            return f"{value:,.0f}" if value >= 100 else f"{value:.3f}"
        return str(value)

    cells = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip cross-dataset retraining")
    parser.add_argument("--json", help="also write every row to this JSON file")
    args = parser.parse_args(argv)
    try:
        results = {"sentiment": sentiment_rows(args.quick), "intent": intent_rows()}
    except data.MissingData as exc:
        print(exc, file=sys.stderr)
        return 2
    from eval import similarity_eval, topics_eval

    results["topics"] = topics_eval.run()
    results["similarity"] = similarity_eval.run()
    rss = worker_memory_mb()
    results["memory"] = [{"process": "Django worker with the default model", "peak_rss_mb": rss}]
    for title, rows in results.items():
        print_table(title.capitalize(), rows)

    default = next(
        r
        for r in results["sentiment"]
        if r["model"] == "linear" and r["tested_on"] == "TweetEval held-out"
    )
    print("\n## Goals\n")
    for label, ok, detail in (
        (
            f"default tier macro-F1 >= {GOAL_F1} on unseen tweets",
            default["macro_f1"] >= GOAL_F1,
            f"{default['macro_f1']:.3f}",
        ),
        (
            f"default tier >= {GOAL_RATE} messages/s on one core",
            default["per_second"] >= GOAL_RATE,
            f"{default['per_second']:,.0f}/s",
        ),
        (f"worker under {GOAL_RSS_MB} MB resident", rss < GOAL_RSS_MB, f"{rss:.0f} MB"),
    ):
        print(f"- {'met' if ok else 'NOT met'}: {label} ({detail})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
