"""`make bench` scenario "analysis": messages per second of each analysis tier on one core.

Scores the 4,000 held-out TweetEval tweets (real, short, noisy text) with each sentiment tier,
with the full per-message analysis (sentiment + intent) and with topic assignment, in this one
process, so each figure is one core's throughput. Also reports the peak memory of a fresh
worker process holding the default model. Goals from the analysis issue: the default tier at
500 messages/s or more on one core, and a worker under 500 MB resident.
"""

from __future__ import annotations

import time

import analysis
from analysis import sentiment, topics
from analysis.similarity import SimilarityIndex

NAME = "analysis"
GOAL_RATE = 500
GOAL_RSS_MB = 500


def _rate(fn, texts) -> float:
    fn(texts[:50])  # load models and warm caches outside the timing
    started = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - started)


def run(args) -> dict:
    from eval import data
    from eval.__main__ import worker_memory_mb

    _train, held = data.tweeteval_split()
    texts = [t for t, _ in held]
    rates = {}
    for tier in analysis.MODELS:
        model = sentiment.get_model(tier)
        rates[f"sentiment: {tier}"] = _rate(model.score_many, texts)
    rates["sentiment + intent (default)"] = _rate(analysis.analyse_many, texts)

    def assign_all(batch):
        model = topics.TopicModel()
        for text in batch:
            model.assign(text)

    rates["topic assignment (incremental)"] = _rate(assign_all, texts)
    index = SimilarityIndex(enumerate(texts))

    def search_all(batch):
        for text in batch[:1000]:
            index.search(text, limit=5)

    started = time.perf_counter()
    search_all(texts)
    rates["similar-title search over 4,000 (queries/s)"] = 1000 / (time.perf_counter() - started)
    rss = worker_memory_mb()
    default = rates[f"sentiment: {analysis.DEFAULT_MODEL}"]
    return {
        "scenario": NAME,
        "messages": len(texts),
        "per_second": rates,
        "worker_peak_rss_mb": rss,
        "goals": {
            "default_tier_per_second": {
                "goal": GOAL_RATE,
                "measured": default,
                "met": default >= GOAL_RATE,
            },
            "worker_rss_mb": {"goal": GOAL_RSS_MB, "measured": rss, "met": rss < GOAL_RSS_MB},
        },
        "errors": [],
    }


def report(results: dict) -> str:
    lines = [f"Analysis on one core, {results['messages']:,} held-out tweets", ""]
    for name, rate in results["per_second"].items():
        lines.append(f"  {name:<45} {rate:>10,.0f} /s")
    lines.append(
        f"  {'peak RSS of a worker with the default model':<45} "
        f"{results['worker_peak_rss_mb']:>10,.0f} MB"
    )
    lines.append("")
    for name, goal in results["goals"].items():
        lines.append(
            f"  {'met' if goal['met'] else 'NOT met'}: {name} "
            f"(goal {goal['goal']}, measured {goal['measured']:,.0f})"
        )
    return "\n".join(lines)
