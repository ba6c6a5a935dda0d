"""A spam score for a post, from 0 (clean) to 1 (spam).

Two parts. Rules look at the text itself: links, characters repeated, shouting, phrases
spammers use, many @ or money signs. A small naive-Bayes word model learns from moderators'
"spam" and "not spam" decisions (word counts in the database); with nothing learnt yet it
says nothing and the rules decide alone. The model pulls the rules' score up towards 1 for
posts like those taught as spam, and down towards 0 for posts like those taught as not spam.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F

from moderation.models import SpamCorpus, SpamToken

PHRASES = (
    "100% free", "act now", "backlinks", "best price", "bitcoin", "buy now", "casino",
    "cheap", "cialis", "click here", "crypto", "dm me", "earn money", "easy money",
    "forex", "free money", "guaranteed income", "investment opportunity", "limited time",
    "loan", "make money", "message me", "no credit check", "payday", "promo code",
    "seo services", "telegram", "today only", "viagra", "weight loss", "whatsapp",
    "work from home", "% off",
)  # fmt: skip
STOPWORDS = frozenset(
    """about after again also and any are because been before being but can com could did
    does doing for from had has have her here him his how http https into its just let
    more most not now off once only other our out over own same she should some such than
    that the their them then there these they this those through too under until very was
    were what when where which while who why will with would www you your""".split()
)
MAX_TOKENS = 200
INTERESTING = 15
# How strongly an unseen word's neutral 0.5 holds against a few sightings (Robinson's s).
STRENGTH = 3.0
# How far a confident model moves the rules' score towards 0 or 1.
MODEL_WEIGHT = 0.9

_LINK = re.compile(r"<a\s", re.I)
_REPEATED = re.compile(r"(\w)\1{5,}")
_PUNCTUATION = re.compile(r"([!?$€£*])\1{2,}")
_WORDS = re.compile(r"[a-z0-9%$£€]+")
_TOKENS = re.compile(r"[a-z][a-z0-9'\u2019]{2,39}")


@dataclass
class Score:
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _combine(parts: list[float]) -> float:
    clean = 1.0
    for p in parts:
        clean *= 1 - p
    return 1 - clean


def rules(text: str, links: int) -> Score:
    """What the text alone says. `links` is the number of links it renders to."""
    parts: list[float] = []
    reasons: list[str] = []
    if links >= 2:
        parts.append(0.6 if links >= 8 else 0.35 if links >= 4 else 0.15)
        reasons.append(f"{links} links")
    if _REPEATED.search(text):
        parts.append(0.15)
        reasons.append("a character repeated many times")
    if _PUNCTUATION.search(text):
        parts.append(0.1)
        reasons.append("runs of !!! or $$$")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) >= 0.6:
        parts.append(0.3)
        reasons.append("written in capitals")
    words = " " + " ".join(_WORDS.findall(text.lower())) + " "
    for phrase in (*PHRASES, *settings.MODERATION_SPAM_PHRASES):
        normal = " ".join(_WORDS.findall(phrase.lower()))
        if normal and (f" {normal} " in words or (normal.startswith("%") and normal in words)):
            parts.append(0.25)
            reasons.append(f"“{phrase}”")
    if text.count("@") >= 5:
        parts.append(0.2)
        reasons.append(f"{text.count('@')} @ signs")
    money = sum(text.count(sign) for sign in "$£€")
    if money >= 3:
        parts.append(0.2)
        reasons.append(f"{money} money signs")
    return Score(_combine(parts), reasons)


def tokens(text: str) -> set[str]:
    """The words the model counts: lower case, 3 to 40 letters, common words left out."""
    found = set()
    for token in _TOKENS.findall(text.lower()):
        if token not in STOPWORDS:
            found.add(token)
            if len(found) >= MAX_TOKENS:
                break
    return found


def word_probability(spam: int, ham: int, spam_docs: int, ham_docs: int) -> float:
    """How spammy one word is, 0..1, pulled towards 0.5 while it has been seen little."""
    seen = spam + ham
    if seen == 0:
        return 0.5
    spam_rate = spam / max(spam_docs, 1)
    ham_rate = ham / max(ham_docs, 1)
    p = spam_rate / (spam_rate + ham_rate)
    return (STRENGTH * 0.5 + seen * p) / (STRENGTH + seen)


def model_probability(probabilities: list[float]) -> float:
    """The words' probabilities combined (naive Bayes), using the most telling ones."""
    telling = sorted(probabilities, key=lambda p: abs(p - 0.5), reverse=True)[:INTERESTING]
    log_odds = 0.0
    for p in telling:
        p = min(max(p, 0.01), 0.99)
        log_odds += math.log(p / (1 - p))
    return 1 / (1 + math.exp(-log_odds))


def blend(rule_score: float, model: float) -> float:
    """The rules' score moved towards 1 (model above 0.5) or 0 (below) by the model."""
    lean = (2 * model - 1) * MODEL_WEIGHT
    if lean >= 0:
        return rule_score + (1 - rule_score) * lean
    return rule_score * (1 + lean)


def score(text: str, links: int) -> Score:
    """The spam score of `text`, with the reasons a moderator sees in the queue."""
    result = rules(text, links)
    corpus = SpamCorpus.objects.first()
    if corpus is None or corpus.spam_docs + corpus.ham_docs == 0:
        return result
    words = tokens(text)
    counts = {t.token: t for t in SpamToken.objects.filter(token__in=words)}
    probabilities = {
        word: word_probability(c.spam, c.ham, corpus.spam_docs, corpus.ham_docs)
        for word, c in counts.items()
    }
    if not probabilities:
        return result
    model = model_probability(list(probabilities.values()))
    blended = blend(result.score, model)
    telling = sorted(probabilities, key=lambda w: abs(probabilities[w] - 0.5), reverse=True)[:3]
    if model >= 0.6:
        result.reasons.append("like posts taught as spam: " + ", ".join(telling))
    elif model <= 0.4:
        result.reasons.append("like posts taught as not spam: " + ", ".join(telling))
    result.score = min(max(blended, 0.0), 1.0)
    return result


def learn(text: str, *, spam: bool, undo: bool = False) -> None:
    """Teach the model one post (or, with `undo`, take back an earlier lesson)."""
    words = tokens(text)
    step = -1 if undo else 1
    column = "spam" if spam else "ham"
    with transaction.atomic():
        corpus, _ = SpamCorpus.objects.get_or_create(pk=1)
        docs = "spam_docs" if spam else "ham_docs"
        SpamCorpus.objects.filter(pk=corpus.pk, **{f"{docs}__gte": -step}).update(
            **{docs: F(docs) + step}
        )
        if undo:
            SpamToken.objects.filter(token__in=words, **{f"{column}__gt": 0}).update(
                **{column: F(column) - 1}
            )
            return
        known = set(SpamToken.objects.filter(token__in=words).values_list("token", flat=True))
        SpamToken.objects.filter(token__in=known).update(**{column: F(column) + 1})
        SpamToken.objects.bulk_create(
            [SpamToken(token=w, **{column: 1}) for w in sorted(words - known)],
            ignore_conflicts=True,
        )
