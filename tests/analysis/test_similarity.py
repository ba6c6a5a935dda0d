"""Similarity of short texts and the index behind suggest-while-typing and merge suggestions."""

from __future__ import annotations

import pytest

from analysis.similarity import (
    DUPLICATE_THRESHOLD,
    SUGGEST_THRESHOLD,
    SimilarityIndex,
    similarity,
    vector,
)

QUESTION = "How do I reset my password?"


def test_paraphrases_score_above_unrelated_texts():
    paraphrase = similarity(QUESTION, "password reset help please")
    related = similarity(QUESTION, "Can I change my account email?")
    unrelated = similarity(QUESTION, "Where is my package delivery?")
    assert paraphrase > SUGGEST_THRESHOLD
    assert paraphrase > related
    assert unrelated < 0.05  # a few shared letter triples ("<pa") at most
    assert similarity("Add a dark mode", "Please add dark mode to the app") > DUPLICATE_THRESHOLD


def test_similarity_is_symmetric_and_in_range():
    pairs = [
        (QUESTION, "reset password link broken"),
        ("refund for my order", "my order refunds"),
        ("delivery late", "late deliveries again!!"),
        ("dark mode", "dark theme for the mobile app"),
    ]
    for a, b in pairs:
        assert 0.0 <= similarity(a, b) <= 1.0
        assert similarity(a, b) == similarity(b, a)


def test_identical_text_scores_one_whatever_the_noise():
    assert similarity(QUESTION, QUESTION) == 1.0
    noisy = "@support HOW do I reset my PASSWORD??? https://example.com/help"
    assert similarity(QUESTION, noisy) == 1.0
    assert similarity("refund", "refunds") == 1.0


def test_empty_or_stop_word_texts_score_zero():
    assert similarity("", QUESTION) == 0.0
    assert similarity(QUESTION, "") == 0.0
    assert similarity("", "") == 0.0
    assert similarity("Hi, can you do it?", "Hi, can you do it?") == 0.0
    assert vector("thanks!! :)") == {}


def test_near_spellings_and_half_typed_words_still_meet():
    assert similarity("deliver", "delivery") > 0.3
    assert similarity("passw", "password") > 0.2
    assert similarity("refund", "tracking") == 0.0


def test_vectors_are_unit_length():
    for text in (QUESTION, "refund", "dark mode for the mobile app"):
        assert sum(w * w for w in vector(text).values()) == pytest.approx(1.0)


TITLES = [
    ("dark", "Add a dark mode"),
    ("export", "Export my data to CSV"),
    ("dark-app", "Dark mode in the mobile app"),
    ("password", "Reset password by SMS"),
    ("empty", "thanks!"),
]


@pytest.fixture
def index() -> SimilarityIndex:
    return SimilarityIndex(TITLES)


def test_search_ranks_best_first_with_the_scores_of_similarity(index):
    results = index.search("dark mode please", threshold=0.1)
    assert [key for key, _ in results] == ["dark", "dark-app"]
    for key, score in results:
        assert score == pytest.approx(similarity("dark mode please", dict(TITLES)[key]))
    assert results[0][1] > results[1][1]


def test_search_respects_limit_and_threshold(index):
    assert (
        index.search("dark mode please", limit=1, threshold=0.1)
        == index.search("dark mode please", threshold=0.1)[:1]
    )
    assert index.search("dark mode please", threshold=0.99) == []
    assert index.search("Add a dark mode") == [("dark", 1.0), *index.search("Add a dark mode")[1:]]
    assert index.search("") == []
    assert index.search("tracking number") == []
    assert SimilarityIndex().search("dark mode") == []


def test_equal_scores_keep_the_order_keys_were_added():
    index = SimilarityIndex([("b", "refund my order"), ("a", "refund my order")])
    assert index.search("refund order") == [("b", 1.0), ("a", 1.0)]


def test_add_remove_and_replace(index):
    assert len(index) == 5
    index.add("csv", "CSV export of my data")
    assert [key for key, _ in index.search("export data csv")] == ["export", "csv"]
    index.remove("export")
    index.remove("not-there")
    assert "export" not in index and "csv" in index
    assert [key for key, _ in index.search("export data csv")] == ["csv"]
    index.add("csv", "Dark mode everywhere")  # replaces what "csv" held
    assert index.search("export data csv") == []
    assert len(index) == 5
    assert [key for key, _ in index.search("dark mode", threshold=0.1)] == [
        "dark",
        "csv",
        "dark-app",
    ]
    for key, _ in TITLES:
        index.remove(key)
    index.remove("csv")
    assert len(index) == 0
    assert index.search("dark mode") == []


def test_near_duplicates_lists_pairs_above_the_threshold():
    index = SimilarityIndex(
        [
            (1, "Add a dark mode"),
            (2, "Export to CSV"),
            (3, "A dark mode would be great"),
            (4, "export as csv file"),
            (5, "Add a dark mode"),
        ]
    )
    pairs = index.near_duplicates(0.5)
    assert pairs[0] == (1, 5, 1.0)
    assert [(a, b) for a, b, _ in pairs] == [(1, 5), (2, 4), (1, 3), (3, 5)]
    assert all(score >= 0.5 for _, _, score in pairs)
    assert [score for _, _, score in pairs] == sorted((s for _, _, s in pairs), reverse=True)
    assert pairs[2][2] == pytest.approx(similarity("Add a dark mode", "A dark mode would be great"))
    assert pairs[2][2] == pairs[3][2]  # equal scores: the older pair first
    assert index.near_duplicates(0.99) == [(1, 5, 1.0)]
    assert SimilarityIndex([(1, "dark mode"), (2, "")]).near_duplicates() == []
