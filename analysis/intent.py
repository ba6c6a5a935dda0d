"""What a customer message wants: a question, a complaint, praise, a suggestion, or other.

Get Satisfaction typed every topic this way, and the type decides the next step: a question or a
complaint waits for an answer, a suggestion belongs with the ideas, praise is thanked. The
classifier is a small set of readable rules over the text and its sentiment; the hand-labelled
customer tweets in ``eval/twcs_labels.csv`` measure it (``make eval``).
"""

from __future__ import annotations

import re

from .cues import PROBLEM, asks_plainly
from .sentiment import Sentiment
from .sentiment import score as score_sentiment
from .text import clean

INTENTS = ("question", "complaint", "praise", "suggestion", "other")
NEEDS_ANSWER = frozenset({"question", "complaint"})

SUGGESTION = re.compile(
    r"\b(?:you (?:guys )?(?:should|could|need to|ought to)|(?:please|pls|plz),? (?:please,? )?"
    r"(?:add|bring|make|consider|allow|offer|introduce|let us|broadcast|stock|open|come)|"
    r"it (?:would|'d) be (?:great|nice|good|awesome|better|helpful|cool) (?:if|to)|"
    r"would be (?:great|nice|good|awesome|cool) if|would love (?:it )?if|"
    r"i wish (?:you|there|i could)|why not (?:add|make|offer|let)|how about (?:adding|making|a|an)|"
    r"feature request|(?:my|a) suggestion|suggestion:|i suggest|idea:|can you (?:guys )?(?:add|"
    r"make it)|could you (?:add|make it|consider))",
    re.IGNORECASE,
)
# An explicit request for a change counts as a suggestion even when it is said in anger.
CHANGE_REQUEST = re.compile(
    r"\b(?:you (?:need|have) to change|please (?:let|allow) (?:people|us|customers)|"
    r"should be able to|(?:as an option|an option to) .{0,30}(?:future|please)|"
    r"in (?:the )?future,? (?:please|could|can|would)|"
    r"i hope (?:it|you) will (?:come|add|bring|offer)|feature request|"
    r"(?:my|a) suggestion|suggestion:|i suggest|idea:)",
    re.IGNORECASE,
)
HELP_REQUEST = re.compile(
    r"\b(?:help(?: me)?|assist|anyone know|i was wondering|wondering if|need (?:some )?(?:help|"
    r"info|information|advice)|please advise|let me know|how (?:do|can|to) i|is there a way|"
    r"who (?:do|should) i|where (?:can|do) i|what (?:do|should) i do)\b",
    re.IGNORECASE,
)
RHETORICAL = re.compile(
    r"\b(?:why (?:is|are|do|does|did|would|won't|can't|isn't|aren't|the hell|on earth)|"
    r"what(?:'s| is) (?:wrong|up) with|how (?:hard|difficult) is it|seriously|really\?|"
    r"when will you (?:ever|finally)|are you (?:kidding|serious|joking))\b",
    re.IGNORECASE,
)
PRAISE = re.compile(
    r"\b(?:thanks|thank you|thank u|thx|ty|cheers|love|loving|great|awesome|amazing|brilliant|"
    r"excellent|fantastic|best|appreciate\w*|kudos|well done|shout ?out|props|perfect|"
    r"helpful|wonderful)\b|[❤😍🥰👏🙌]",
    re.IGNORECASE,
)


def classify(text: str, sentiment: Sentiment | None = None) -> str:
    """One of INTENTS. Pass the sentiment when it is already known to save scoring twice."""
    cleaned = clean(text)
    if not cleaned:
        return "other"
    sentiment = sentiment or score_sentiment(text)
    asks = asks_plainly(text) or bool(HELP_REQUEST.search(text))
    problem = PROBLEM.search(text)
    if CHANGE_REQUEST.search(text):
        return "suggestion"
    if SUGGESTION.search(text) and sentiment.label != "negative" and not problem:
        return "suggestion"
    if asks:
        if HELP_REQUEST.search(text):
            return "question"
        if RHETORICAL.search(text) or (problem and sentiment.label != "positive"):
            return "complaint"
        return "question"
    if sentiment.label == "negative" or problem:
        return "complaint"
    if sentiment.label == "positive" and PRAISE.search(text):
        return "praise"
    return "other"


def needs_answer(intent: str) -> bool:
    return intent in NEEDS_ANSWER
