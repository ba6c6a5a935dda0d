"""Intent: what a message wants, and so whether it waits for an answer."""

from __future__ import annotations

import pytest

from analysis import intent
from analysis.sentiment import Sentiment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I reset my password?", "question"),
        ("@LarderLadle is there a way to change my delivery slot", "question"),
        ("Can you help me with my order please", "question"),
        ("My parcel never arrived and nobody answers. Useless.", "complaint"),
        ("Why is my order late AGAIN?!", "complaint"),
        ("the app keeps crashing at checkout", "complaint"),
        ("Thanks so much, the team was brilliant!", "praise"),
        ("It would be great if you sold gluten-free bread", "suggestion"),
        ("Please add a dark mode to the app", "suggestion"),
        ("You need to change your returns policy, it's absurd", "suggestion"),
        ("ok done", "other"),
        ("", "other"),
    ],
)
def test_examples(text, expected):
    assert intent.classify(text) == expected


def test_given_sentiment_is_used_instead_of_scoring_again():
    text = "the delivery came today"
    assert intent.classify(text, Sentiment("negative", -0.9)) == "complaint"
    assert intent.classify(text, Sentiment("positive", 0.9)) == "other"


def test_questions_and_complaints_need_an_answer():
    assert intent.needs_answer("question") and intent.needs_answer("complaint")
    assert not any(intent.needs_answer(i) for i in ("praise", "suggestion", "other"))
