"""`make bench` scenario "search", end to end on a tiny database in a temporary folder."""

from __future__ import annotations

import argparse

from bench import search


def test_the_search_scenario_runs_and_reports(tmp_path, monkeypatch):
    monkeypatch.delenv(search.PG_ENV, raising=False)
    args = argparse.Namespace(search_messages=2000, search_rounds=1, search_dir=tmp_path)
    results = search.run(args)
    assert results["built_now"] is True
    assert results["data"]["messages"] == 2000
    assert results["data"]["conversations"] == 200
    assert results["errors"] == []
    assert set(results["classes"]) == set(search.QUERIES)
    common = results["classes"][search.COMMON]
    assert min(common["conversations_matched"]) > 10
    for path in ("app", "raw", "per_message"):
        assert common[path]["n"] == len(search.QUERIES[search.COMMON])
        assert 0 < common[path]["p50_ms"] <= common[path]["p95_ms"]
    assert common["postgres"]["n"] == 0
    assert results["postgres"].startswith("not run")
    assert results["goals"]["same_top_results"]["met"], results["mismatched"]
    assert set(results["goals"]) == {"app_vs_raw_p95", "common_word_p95_ms", "same_top_results"}
    text = search.report(results)
    assert "Search: 2,000 messages in 200 conversations" in text
    assert "same top 20 as raw FTS5" in text and "PostgreSQL: not run" in text

    again = search.run(args)  # the database is kept and reused
    assert again["built_now"] is False
    assert again["data"] == results["data"]


def test_the_generated_text_is_the_same_every_time():
    first = list(search.corpus(300, 30, seed=5))
    assert first == list(search.corpus(300, 30, seed=5))
    assert sum(len(bodies) for _, _, bodies in first) == 300
    assert len(first) == 30 and all(bodies for _, _, bodies in first)


def test_top_results_compare_up_to_the_order_of_ties():
    same = [(1, 3.0), (2, 2.0), (3, 2.0), (4, 1.0)]
    assert search.same_top(same, [(1, 3.0), (3, 2.0), (2, 2.0), (4, 1.0)])
    assert not search.same_top(same, [(2, 3.0), (1, 2.0), (3, 2.0), (4, 1.0)])
    assert not search.same_top(same, same[:3])
    # The last places of a tie cut by the limit may go to any of the tied.
    assert search.same_top([(1, 3.0), (2, 1.0)], [(1, 3.0), (9, 1.0)])
    assert not search.same_top([(1, 3.0), (2, 1.0)], [(1, 3.0), (9, 0.5)])
