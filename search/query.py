"""What a person typed into the search box, as a small structure both backends understand.

Plain Python, no Django. Anything at all may be typed; what cannot be read as one of the few
things we support ("exact phrases", -excluded words, prefix*) is taken as plain words, and
what carries no letter or digit (punctuation, emoji, control characters) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_INPUT = 1000  # characters read from the box; the rest is ignored
MAX_TERMS = 16
MIN_PREFIX = 2  # "a*" would expand to half the dictionary: it is read as the word "a"

# A phrase in double quotes (the closing quote may be missing), or a run of non-space
# characters; either may carry a leading minus.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000-\uf8ff]")
_PUNCT_EDGES = re.compile(r"^[^\w]+|[^\w*]+$")
# Letters and digits, as the full-text tokenizers cut words (an underscore separates).
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    text: str  # words as typed, without quotes, minus or star
    phrase: bool = False  # quoted: the words in this order
    prefix: bool = False  # word*: any word starting with it


@dataclass(frozen=True)
class Query:
    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    raw: str = field(default="", compare=False)

    def __bool__(self) -> bool:
        return bool(self.include)

    @property
    def words(self) -> list[str]:
        """Every word the results should show highlighted."""
        return [w for t in self.include for w in words_of(t.text)]


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text[:MAX_INPUT])


def parse(text: str | None) -> Query:
    text = _clean(text or "")
    include: list[Term] = []
    exclude: list[Term] = []
    for match in _TOKEN.finditer(text):
        if len(include) + len(exclude) >= MAX_TERMS:
            break
        if match.group(2) is not None:
            negative, body = match.group(1) == "-", " ".join(words_of(match.group(2)))
            term = Term(body, phrase=len(words_of(body)) > 1) if body else None
        else:
            negative, body = match.group(3) == "-", _PUNCT_EDGES.sub("", match.group(4))
            term = _word(body)
        if term is None:
            continue
        (exclude if negative else include).append(term)
    return Query(tuple(dict.fromkeys(include)), tuple(dict.fromkeys(exclude)), raw=text)


def _word(body: str) -> Term | None:
    prefix = body.endswith("*")
    body = body.rstrip("*")
    words = words_of(body)
    if not words:
        return None
    # "e-mail" or "don't" are one term whose words must stand together.
    text = " ".join(words)
    if prefix and len(words[-1]) >= MIN_PREFIX:
        return Term(text, phrase=len(words) > 1, prefix=True)
    return Term(text, phrase=len(words) > 1)
