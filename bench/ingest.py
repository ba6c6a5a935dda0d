"""`make bench` scenario "ingest": mentions per second through the whole listening pipeline.

Writes a JSON Lines file of real customer text (TweetEval tweets, the way people write about a
company on social networks) as mentions with URLs, authors and dates, then runs
`openline ingest FILE` in a fresh process on a fresh SQLite data folder with ten active keyword
queries: parse → normalise → URL and content hash → language → sentiment and intent → queries →
Person, Identity, Conversation, Message, Mention and matches → topics → inbox rules, committed
in chunks. In the same run, bare VADER scores the same texts in this process. The goal from
the listening issue: the pipeline at least half as fast as bare VADER.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.servers import ROOT, BenchError, django_env

NAME = "ingest"
GOAL_RATIO = 0.5
QUERIES = [
    ("Brand", "larder OR @larder OR #larder"),
    ("Delivery", "deliver* OR parcel OR courier OR late"),
    ("Refunds", 'refund* OR "money back" OR chargeback'),
    ("App", "app NEAR/3 crash*"),
    ("Praise", '"thank you" OR thanks OR love*'),
    ("Complaints", "(worst OR awful OR terrible) NOT joke"),
    ("Support", '"customer service" OR support OR help*'),
    ("Prices", "price* OR expensive OR cheap*"),
    ("English", "lang:en (order* OR account)"),
    ("Reddit", "site:reddit.com"),
]


def _texts(count: int) -> list[str]:
    from eval import data

    train, held = data.tweeteval_split()
    texts = [t for t, _ in held + train if t.strip()]
    return [texts[i % len(texts)] for i in range(count)]


def write_mentions(path: Path, texts: list[str]) -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    sites = ["mastodon.social", "www.reddit.com", "blog.example", "bsky.app"]
    with path.open("w", encoding="utf-8") as out:
        for n, text in enumerate(texts):
            site = sites[n % len(sites)]
            author = f"user{n % 1997}"
            record = {
                "id": f"post-{n}",
                "url": f"https://{site}/{author}/posts/{n}",
                "text": text,
                "author": f"User {n % 1997}",
                "author_handle": f"@{author}@{site}",
                "published_at": (start + timedelta(seconds=n)).isoformat(),
            }
            out.write(json.dumps(record) + "\n")


def _vader_rate(texts: list[str]) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for text in texts[:50]:
        analyzer.polarity_scores(text)
    started = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    return len(texts) / (time.perf_counter() - started)


SEED_QUERIES = """
import django, json, sys
django.setup()
from listening.models import Query
for name, text in json.loads(sys.argv[1]):
    Query.objects.create(name=name, text=text)
"""


def _openline(env: dict, *args: str, timeout: float = 900) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "openline.cli", *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"openline {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def run(args) -> dict:
    count = args.mentions
    texts = _texts(count)
    with tempfile.TemporaryDirectory(prefix="openline-bench-ingest-") as folder:
        data = Path(folder)
        env = django_env(data)
        _openline(env, "migrate", "--verbosity", "0")
        subprocess.run(
            [sys.executable, "-c", SEED_QUERIES, json.dumps(QUERIES)],
            env=env, check=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        mentions = data / "mentions.jsonl"
        write_mentions(mentions, texts)
        vader_before = _vader_rate(texts)
        output = _openline(env, "ingest", str(mentions))
        vader_after = _vader_rate(texts)
        again = _openline(env, "ingest", str(mentions))
    found = re.search(r"(\d+) stored.* in ([\d.]+) s", output)
    if found is None or int(found.group(1)) != count:
        raise BenchError(f"the ingest did not store {count} mentions: {output.strip()}")
    seconds = float(found.group(2))
    repeat = re.search(r"(\d+) already stored.* in ([\d.]+) s", again)
    pipeline_rate = count / seconds
    vader = (vader_before + vader_after) / 2
    ratio = pipeline_rate / vader
    return {
        "scenario": NAME,
        "mentions": count,
        "queries": len(QUERIES),
        "pipeline_seconds": seconds,
        "pipeline_per_second": pipeline_rate,
        "vader_per_second": vader,
        "vader_runs": [vader_before, vader_after],
        "ratio": ratio,
        "second_run": again.strip(),
        "second_run_per_second": count / float(repeat.group(2)) if repeat else None,
        "ingest_output": output.strip(),
        "goals": {
            "pipeline_vs_vader": {"goal": GOAL_RATIO, "measured": ratio, "met": ratio >= GOAL_RATIO}
        },
        "errors": [] if repeat and int(repeat.group(1)) == count else [f"rerun: {again}"],
    }


def report(results: dict) -> str:
    goal = results["goals"]["pipeline_vs_vader"]
    return "\n".join(
        [
            f"Ingest: {results['mentions']:,} mentions from a JSONL file into SQLite, "
            f"{results['queries']} active queries",
            "",
            f"  {'whole pipeline (openline ingest)':<40} "
            f"{results['pipeline_per_second']:>10,.0f} /s  ({results['pipeline_seconds']:.1f} s)",
            f"  {'bare VADER, same texts, same run':<40} {results['vader_per_second']:>10,.0f} /s",
            f"  {'ratio':<40} {results['ratio']:>10.2f}",
            f"  {'the same file again (all duplicates)':<40} "
            f"{results['second_run_per_second'] or 0:>10,.0f} /s",
            "",
            f"  {'met' if goal['met'] else 'NOT met'}: pipeline at least {goal['goal']} of VADER "
            f"(measured {goal['measured']:.2f})",
        ]
    )
