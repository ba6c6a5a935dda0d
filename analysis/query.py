"""Boolean keyword queries for the listening post: parse a query once, match many posts fast.

    (larder OR "larder app") AND (refund* OR "never arrived") NOT site:larder.com
    delivery NEAR/3 late lang:en
    author:@ann@mastodon.social OR author:bob.bsky.social

`compile(text)` parses a query (raising `QueryError` with the character it stopped at) and turns
it into nested closures; `document(text, ...)` tokenises a post once; `Query.matches(doc)` then
costs about a microsecond per simple query, since a word is a set lookup and word positions are
only computed when a phrase or NEAR needs them. docs/listening-queries.md is the admin's guide.

Words are compared folded: NFKD with combining marks dropped, then case-folded ("Café" is
"cafe"). A post's words are runs of letters and digits with inner apostrophes; a hashtag or an
@mention counts as its word; each Chinese or Japanese character is a word of its own, so a query
for 配送 is the phrase 配 送. A word with an apostrophe also counts as its head before a
possessive "'s" (larder's: larder) and as its tail after a short elided article or pronoun
(l'application: application), at the same position. A query word is tokenised the same way, so
`e-mail` is the phrase "e mail" and `larder.com` is "larder com".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 32  # parentheses and NOT, counted together
MAX_OPERANDS = 200  # words, phrases and filters
MAX_NEAR = 100
DEFAULT_NEAR = 5
MIN_PREFIX = 2
FILTERS = ("author", "lang", "site")

_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:'[^\W_{_CJK}]+)*")
_WORD_END_RE = re.compile(r"[^\W_]\Z")
# French and Italian elisions longer than two letters (l', d', qu' are covered by length).
_ELISIONS = frozenset("dell dall nell sull coll all quell jusqu lorsqu puisqu quoiqu".split())
_OPEN_QUOTES = '"“”„'
_CLOSE_QUOTES = '"“”'
_BREAKS = frozenset("()" + _OPEN_QUOTES)
_FILTER_RE = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_LANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_HOST_RE = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HANDLE_RE = re.compile(r"[@/]|\w\.\w")
_OPERAND_STARTS = frozenset(("WORD", "PHRASE", "FILTER", "(", "NOT", "-"))


class QueryError(ValueError):
    """A query that cannot be parsed: `position` is the 0-based offset of the culprit."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position

    def __reduce__(self):
        return (type(self), (self.message, self.position))

    def pointer(self, text: str) -> str:
        """The line of `text` holding the culprit, and a caret under it."""
        start = text.rfind("\n", 0, self.position) + 1
        end = text.find("\n", self.position)
        line = text[start : end if end >= 0 else len(text)]
        shown = "".join(" " if c.isspace() else c for c in line)
        return f"{shown}\n{' ' * (self.position - start)}^"


# The syntax tree. Nodes are canonical as `parse` builds them: a phrase has two words or more
# (one quoted word is a Term or Prefix), And and Or have two operands or more, and a Filter's
# value is normalised. Only canonical trees survive `parse(unparse(node)) == node`.


@dataclass(frozen=True, slots=True)
class Term:
    word: str  # one folded token


@dataclass(frozen=True, slots=True)
class Prefix:
    stem: str  # folded, at least MIN_PREFIX characters; matches any word starting with it


@dataclass(frozen=True, slots=True)
class Phrase:
    parts: tuple[Term | Prefix, ...]  # consecutive words, in order


@dataclass(frozen=True, slots=True)
class Near:
    left: Term | Prefix | Phrase
    right: Term | Prefix | Phrase
    distance: int  # 1 means adjacent


@dataclass(frozen=True, slots=True)
class Filter:
    name: str  # one of FILTERS
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


Node = Term | Prefix | Phrase | Near | Filter | Not | And | Or
Word = Term | Prefix | Phrase


# Text

_ASCII_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
# Lower-cases ASCII letters and blanks out what is not a letter, digit or apostrophe: with
# bytes.translate and str.split this tokenises ASCII text about five times faster than a regex.
_ASCII_TABLE = bytes(
    ord(chr(c).lower()) if chr(c).isalnum() or c == ord("'") else ord(" ") for c in range(128)
) + bytes(128)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_NON_ASCII_WORD_RE = re.compile(r"[^\W\x00-\x7f]")


@functools.cache
def _marks_re() -> re.Pattern:
    # Combining marks of the BMP: one class of them is fast, but adding the few astral ones
    # to it makes the regex 40 times slower, so those are removed apart. Built on first use,
    # as the scan costs ~10 ms that ASCII text never needs.
    marks = "".join(chr(c) for c in range(0x10000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{re.escape(marks)}]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, case-folded, combining marks dropped."""
    if text.isascii():
        return text.lower()
    # NFKD again after casefold: some compatibility characters fold to ones that decompose.
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = _marks_re().sub("", text)
    if text.isascii():
        return text
    for char in set(_ASTRAL_RE.findall(text)):  # emoji mostly
        if unicodedata.combining(char):
            text = text.replace(char, "")
    return text.replace("’", "'").replace("ʼ", "'")


def _ascii_tokens(text: str) -> list[str]:
    # Any non-ASCII character left is no letter or digit: "?" from the encoding blanks it out.
    spaced = text.encode("ascii", "replace").translate(_ASCII_TABLE).decode("ascii")
    if "'" in spaced and (
        " '" in spaced or "' " in spaced or "''" in spaced or spaced[0] == "'" or spaced[-1] == "'"
    ):
        return _ASCII_RE.findall(spaced)  # some apostrophe is not between two letters
    return spaced.split()


def tokens(text: str) -> list[str]:
    """The folded word tokens of `text`, as queries and documents see them."""
    if text.isascii():
        return _ascii_tokens(text)
    folded = fold(text)
    if folded.isascii() or not _NON_ASCII_WORD_RE.search(folded):  # accents, emoji, dashes
        return _ascii_tokens(folded)
    return _TOKEN_RE.findall(folded)


def _aliases(token: str) -> list[str]:
    head, _, tail = token.partition("'")
    aliases = []
    if tail == "s":
        aliases.append(head)
    if len(tail) > 1 and (len(head) <= 2 or head in _ELISIONS):
        aliases.append(tail)
    return aliases


def _host(value: str) -> str:
    host = value.strip().lower()
    if "/" in host or ":" in host:  # a URL, or a host with a port
        host = _SCHEME_RE.sub("", host)
        host = re.split(r"[/?#]", host, maxsplit=1)[0]
        host = re.sub(r":\d*\Z", "", host)
    return host.strip(".")


def _lang(value: str) -> str:
    return value.strip().lower().replace("_", "-")


class Document:
    """A post prepared for matching; build it with `document()`."""

    __slots__ = (
        "_positions",
        "_sorted",
        "handles",
        "lang",
        "name_words",
        "names",
        "site",
        "tokens",
        "words",
    )

    def __init__(
        self,
        tokens: tuple[str, ...],
        words: frozenset[str],
        lang: str,
        handles: frozenset[str],
        names: tuple[tuple[str, ...], ...],
        site: str,
    ) -> None:
        self.tokens = tokens  # folded words in order
        self.words = words  # every word, with apostrophe aliases
        self.lang = lang
        self.handles = handles
        self.names = names  # the author's names, as word tuples
        self.name_words = frozenset(word for name in names for word in name)
        self.site = site
        self._positions: dict[str, list[int]] | None = None
        self._sorted: list[str] | None = None

    def __repr__(self) -> str:
        return f"<Document {' '.join(self.tokens)[:60]!r}>"

    def _index(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            positions.setdefault(token, []).append(i)
            if "'" in token:
                for alias in _aliases(token):
                    positions.setdefault(alias, []).append(i)
        self._positions = positions
        return positions

    def _sorted_words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.words)
        return self._sorted

    def _prefixed(self, stem: str) -> list[str]:
        words = self._sorted_words()
        start = end = bisect_left(words, stem)
        while end < len(words) and words[end].startswith(stem):
            end += 1
        return words[start:end]

    def _has_prefix(self, stem: str) -> bool:
        words = self._sorted_words()
        i = bisect_left(words, stem)
        return i < len(words) and words[i].startswith(stem)

    def _positions_of(self, part: Term | Prefix) -> list[int]:
        index = self._positions if self._positions is not None else self._index()
        if isinstance(part, Term):
            return index.get(part.word, [])
        key = part.stem + "*"  # no word has a *: prefixes are kept in the same index
        if key not in index:
            found = [index[word] for word in self._prefixed(part.stem)]
            index[key] = found[0] if len(found) == 1 else sorted({p for ps in found for p in ps})
        return index[key]

    def _starts(self, parts: tuple[Term | Prefix, ...]) -> list[int]:
        """Where the words `parts` occur one after another, by the first one's position."""
        starts = self._positions_of(parts[0])
        if len(parts) > 1:
            for offset, part in enumerate(parts[1:], 1):
                here = set(self._positions_of(part))
                starts = [p for p in starts if p + offset in here]
        return starts


def document(
    text: str,
    *,
    lang: str = "",
    author: str = "",
    author_handle: str = "",
    author_name: str = "",
    site: str = "",
) -> Document:
    """Prepare a post once for any number of queries.

    `author_handle` is compared whole ("@ann@mastodon.social", "ann.bsky.social", "u/ann");
    `author_name` by its words ("Ann Smith"). `author` is for when the two come together
    ("@ann@mastodon.social Ann Smith"): its parts that look like handles (with an @ or a /, or
    a dot inside a word) are handles, the rest is the name. `site` may be a host or a URL.
    """
    toks = tuple(tokens(text))
    words = frozenset(toks)
    if "'" in text or not text.isascii():
        aliases = [alias for token in words if "'" in token for alias in _aliases(token)]
        words = words.union(aliases) if aliases else words
    handles, rest = set(), []
    if author_handle:
        handles.add(fold(author_handle).strip().lstrip("@"))
    for part in fold(author).split() if author else ():
        if _HANDLE_RE.search(part):
            handles.add(part.lstrip("@"))
        else:
            rest.append(part)
    handles.discard("")
    names = tuple(tuple(tokens(name)) for name in (author_name, " ".join(rest)) if name)
    return Document(
        toks, words, _lang(lang), frozenset(handles), names, _host(site) if site else ""
    )


# Parsing


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD PHRASE FILTER AND OR NOT NEAR ( ) - END
    pos: int
    end: int
    text: str = ""  # as written; a filter's name
    value: str = ""  # a phrase's or a filter's value, as written
    number: int = 0  # NEAR's distance; where a phrase's or filter's value starts


def _close_quote(text: str, start: int) -> int:
    for i in range(start, len(text)):
        if text[i] in _CLOSE_QUOTES:
            return i
    return -1


def _lex(text: str) -> list[_Token]:
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()-":
            out.append(_Token(c, i, i + 1, c))
            i += 1
        elif c in _OPEN_QUOTES:
            close = _close_quote(text, i + 1)
            if close < 0:
                raise QueryError("This quote is never closed", i)
            out.append(
                _Token("PHRASE", i, close + 1, text[i : close + 1], text[i + 1 : close], i + 1)
            )
            i = close + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _BREAKS:
                j += 1
            token = _word_token(text, i, j)
            out.append(token)
            i = token.end
    out.append(_Token("END", n, n))
    return out


def _word_token(text: str, i: int, j: int) -> _Token:
    word = text[i:j]
    if word in ("AND", "OR", "NOT"):
        return _Token(word, i, j, word)
    if word == "NEAR":
        return _Token("NEAR", i, j, word, number=DEFAULT_NEAR)
    if word.startswith("NEAR/"):
        digits = word[5:]
        if digits.isascii() and digits.isdigit() and 1 <= int(digits) <= MAX_NEAR:
            return _Token("NEAR", i, j, word, number=int(digits))
        raise QueryError(f"NEAR/ takes a whole number from 1 to {MAX_NEAR}, as in NEAR/3", i)
    match = _FILTER_RE.fullmatch(word)
    if not match:
        return _Token("WORD", i, j, word)
    name = match.group(1).lower()
    if name not in FILTERS:
        raise QueryError(
            f'Unknown filter "{match.group(1)}:": the filters are author:, lang: and site: '
            "(to search for text with a colon, put it in quotes)",
            i,
        )
    value, value_pos = match.group(2), i + len(name) + 1
    if not value and j < len(text) and text[j] in _OPEN_QUOTES:
        close = _close_quote(text, j + 1)
        if close < 0:
            raise QueryError("This quote is never closed", j)
        value, value_pos, j = text[j + 1 : close], j + 1, close + 1
    if not value.strip():
        raise QueryError(f'"{name}:" needs a value, as in {name}:{_EXAMPLES[name]}', i)
    return _Token("FILTER", i, j, name, value, value_pos)


_EXAMPLES = {"author": "@ann@mastodon.social", "lang": "en", "site": "example.com"}


def _filter(tok: _Token) -> Filter:
    name, raw = tok.text, tok.value
    if name == "lang":
        value = _lang(raw)
        if not _LANG_RE.fullmatch(value):
            raise QueryError(
                '"lang:" takes a language code, as in lang:en or lang:pt-br', tok.number
            )
    elif name == "site":
        value = _host(raw)
        if not _HOST_RE.fullmatch(value):
            raise QueryError('"site:" takes a domain, as in site:example.com', tok.number)
    else:
        value = " ".join(fold(raw).lstrip("@").split())
        if not value:
            raise QueryError('"author:" needs a handle or a name, as in author:@ann', tok.pos)
    return Filter(name, value)


def _parts(chunk: str, pos: int) -> list[Term | Prefix]:
    """The words of one whitespace-free piece of query text; a trailing * makes a prefix."""
    star = chunk.find("*")
    if star < 0:
        return [Term(t) for t in tokens(chunk)]
    if star != len(chunk) - 1:
        raise QueryError("A * can only end a word, as in refund*", pos + star)
    folded = fold(chunk[:-1])
    found = _TOKEN_RE.findall(folded)
    if not found or not _WORD_END_RE.search(folded):
        raise QueryError("A * must follow a letter or digit, as in refund*", pos + star)
    if len(found[-1]) < MIN_PREFIX:
        raise QueryError(f"Put at least {MIN_PREFIX} letters or digits before a *", pos + star)
    return [Term(t) for t in found[:-1]] + [Prefix(found[-1])]


def _operand(tok: _Token) -> Node:
    if tok.kind == "FILTER":
        return _filter(tok)
    if tok.kind == "WORD":
        parts = _parts(tok.text, tok.pos)
        if not parts:
            raise QueryError(
                f'Nothing to search for in "{tok.text}": a word needs letters or digits', tok.pos
            )
    else:
        parts = []
        for match in re.finditer(r"\S+", tok.value):
            parts += _parts(match.group(), tok.number + match.start())
        if not parts:
            raise QueryError("Nothing to search for between these quotes", tok.pos)
    return parts[0] if len(parts) == 1 else Phrase(tuple(parts))


def _near_operand(node: Node, pos: int) -> None:
    if not isinstance(node, Term | Prefix | Phrase):
        what = {Filter: "a filter", Not: "NOT", Near: "another NEAR"}.get(type(node), "a group")
        raise QueryError(f"NEAR needs a word, prefix or phrase on each side, not {what}", pos)


class _Parser:
    """Recursive descent; OR < AND (explicit or implied) < NEAR < NOT in binding strength."""

    def __init__(self, toks: list[_Token]) -> None:
        self.toks = toks
        self.i = 0
        self.operands = 0

    def peek(self) -> _Token:
        return self.toks[self.i]

    def take(self) -> _Token:
        self.i += 1
        return self.toks[self.i - 1]

    def query(self) -> Node:
        node = self.any_of(0)
        if self.peek().kind == ")":
            raise QueryError("This closing parenthesis has no opening one", self.peek().pos)
        return node

    def any_of(self, depth: int) -> Node:
        operands = [self.all_of(depth)]
        while self.peek().kind == "OR":
            self.take()
            operands.append(self.all_of(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def all_of(self, depth: int) -> Node:
        operands = [self.near(depth)]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
            elif kind not in _OPERAND_STARTS:
                break
            operands.append(self.near(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def near(self, depth: int) -> Node:
        start = self.peek().pos
        left = self.unary(depth)
        joined = False
        while self.peek().kind == "NEAR":
            op = self.take()
            if joined:
                raise QueryError("One NEAR joins two words: write a NEAR b AND b NEAR c", op.pos)
            _near_operand(left, start)
            right_start = self.peek().pos
            right = self.unary(depth)
            _near_operand(right, right_start)
            left, joined = Near(left, right, op.number), True
        return left

    def deeper(self, tok: _Token, depth: int) -> int:
        if depth >= MAX_DEPTH:
            raise QueryError(f"Too deeply nested: at most {MAX_DEPTH} levels of ( and NOT", tok.pos)
        return depth + 1

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            depth = self.deeper(tok, depth)
            self.take()
            return Not(self.unary(depth))
        if tok.kind == "-":
            depth = self.deeper(tok, depth)
            self.take()
            after = self.peek()
            if after.pos != tok.end or after.kind not in ("WORD", "PHRASE", "FILTER", "("):
                raise QueryError(
                    '"-" must be followed directly by a word, phrase, group or filter, as in -spam',
                    tok.pos,
                )
            return Not(self.primary(depth))
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        tok = self.peek()
        if tok.kind == "(":
            depth = self.deeper(tok, depth)
            self.take()
            if self.peek().kind == ")":
                raise QueryError("Empty parentheses", tok.pos)
            node = self.any_of(depth)
            if self.take().kind != ")":
                raise QueryError("This parenthesis is never closed", tok.pos)
            return node
        if tok.kind in ("WORD", "PHRASE", "FILTER"):
            self.operands += 1
            if self.operands > MAX_OPERANDS:
                raise QueryError(
                    f"Too many words, phrases and filters: at most {MAX_OPERANDS}", tok.pos
                )
            self.take()
            return _operand(tok)
        raise self.missing_operand(tok)

    def missing_operand(self, tok: _Token) -> QueryError:
        if tok.kind in ("AND", "OR", "NEAR"):
            return QueryError(f'"{tok.text}" needs something before it', tok.pos)
        if self.i == 0:  # only ")" can start a query and not be an operand
            return QueryError("This closing parenthesis has no opening one", tok.pos)
        prev = self.toks[self.i - 1]  # "(", NOT or a binary operator; tok is ")" or the end
        if prev.kind == "(":
            return QueryError("This parenthesis is never closed", prev.pos)
        return QueryError(f'"{prev.text}" needs something after it', prev.pos)


def parse(text: str) -> Node:
    """The syntax tree of a query; raises QueryError."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"The query is too long: at most {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise QueryError("The query is empty", 0)
    return _Parser(_lex(text)).query()


def unparse(node: Node) -> str:
    """Canonical text for a tree: explicit AND, NEAR/n, lower-case words, normalised filters."""
    if isinstance(node, Term):
        return node.word
    if isinstance(node, Prefix):
        return f"{node.stem}*"
    if isinstance(node, Phrase):
        return '"' + " ".join(unparse(part) for part in node.parts) + '"'
    if isinstance(node, Near):
        return f"{unparse(node.left)} NEAR/{node.distance} {unparse(node.right)}"
    if isinstance(node, Filter):
        plain = node.value and not any(c.isspace() or c in _BREAKS for c in node.value)
        return f"{node.name}:{node.value}" if plain else f'{node.name}:"{node.value}"'
    if isinstance(node, Not):
        return "NOT " + _grouped(node.operand, (And, Or, Near))
    if isinstance(node, And):
        return " AND ".join(_grouped(child, (And, Or)) for child in node.operands)
    # An AND inside an OR needs no parentheses, but reads more easily with them.
    return " OR ".join(_grouped(child, (And, Or)) for child in node.operands)


def _grouped(node: Node, kinds: tuple[type, ...]) -> str:
    text = unparse(node)
    return f"({text})" if isinstance(node, kinds) else text


# Matching

Matcher = Callable[[Document], bool]
# Cheapest first within an AND or OR: a set lookup before positions are computed.
_COST = {Term: 0, Filter: 1, Prefix: 2, Not: 3, And: 3, Or: 3, Phrase: 4, Near: 5}


def _word_parts(node: Word) -> tuple[Term | Prefix, ...]:
    return node.parts if isinstance(node, Phrase) else (node,)


def _has_words(node: Word) -> Matcher:
    """True when every word of `node` is in the document, in any order: a phrase's pre-check."""
    parts = _word_parts(node)
    return _has_all(
        frozenset(p.word for p in parts if isinstance(p, Term)),
        tuple(p.stem for p in parts if isinstance(p, Prefix)),
    )


def _has_all(needed: frozenset[str], stems: tuple[str, ...] = ()) -> Matcher:
    if not stems:
        if len(needed) == 1:
            (word,) = needed
            return lambda d: word in d.words
        return lambda d: needed <= d.words
    if not needed and len(stems) == 1:
        (stem,) = stems
        return lambda d: d._has_prefix(stem)
    return lambda d: needed <= d.words and all(d._has_prefix(s) for s in stems)


def _phrase(node: Phrase) -> Matcher:
    has_words, parts = _has_words(node), node.parts
    return lambda d: has_words(d) and bool(d._starts(parts))


def _near(node: Near) -> Matcher:
    has_left, has_right = _has_words(node.left), _has_words(node.right)
    left, right = _word_parts(node.left), _word_parts(node.right)
    width, right_width, distance = len(left), len(right), node.distance

    def near(d: Document) -> bool:
        if not (has_left(d) and has_right(d)):
            return False
        others = d._starts(right)
        for start in d._starts(left):
            # The right one ends at most `distance` words before, or starts at most after.
            i = bisect_left(others, start - right_width - distance + 1)
            if i < len(others) and others[i] <= start - right_width:
                return True
            i = bisect_left(others, start + width)
            if i < len(others) and others[i] < start + width + distance:
                return True
        return False

    return near


def _filter_matcher(node: Filter) -> Matcher:
    value = node.value
    if node.name == "lang":
        dashed = value + "-"
        return lambda d: d.lang == value or d.lang.startswith(dashed)
    if node.name == "site":
        dotted = "." + value
        return lambda d: d.site == value or d.site.endswith(dotted)
    words = tuple(tokens(value))
    if not words:  # a handle such as "_" has no words to look for in a name
        return lambda d: value in d.handles
    if len(words) == 1:
        (word,) = words
        return lambda d: value in d.handles or word in d.name_words
    needed = frozenset(words)
    return lambda d: (
        value in d.handles
        or (needed <= d.name_words and any(_within(words, name) for name in d.names))
    )


def _within(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """True when `words` occur one after another in `name`."""
    n = len(words)
    return any(name[i : i + n] == words for i in range(len(name) - n + 1))


def _every(checks: list[Matcher]) -> Matcher:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda d: a(d) and b(d)

    def every(d: Document) -> bool:
        for check in checks:  # noqa: SIM110 - a loop is faster than all() over a generator
            if not check(d):
                return False
        return True

    return every


def _some(checks: list[Matcher]) -> Matcher:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda d: a(d) or b(d)

    def some(d: Document) -> bool:
        for check in checks:  # noqa: SIM110 - a loop is faster than any() over a generator
            if check(d):
                return True
        return False

    return some


def _cheapest_first(nodes: Iterable[Node]) -> list[Matcher]:
    return [_matcher(node) for node in sorted(nodes, key=lambda node: _COST[type(node)])]


def _matcher(node: Node) -> Matcher:
    if isinstance(node, Term | Prefix):
        return _has_words(node)
    if isinstance(node, Phrase):
        return _phrase(node)
    if isinstance(node, Near):
        return _near(node)
    if isinstance(node, Filter):
        return _filter_matcher(node)
    if isinstance(node, Not):
        inner = _matcher(node.operand)
        return lambda d: not inner(d)
    terms = frozenset(c.word for c in node.operands if isinstance(c, Term))
    others = [c for c in node.operands if not isinstance(c, Term)]
    if isinstance(node, Or):
        checks = [lambda d: not terms.isdisjoint(d.words)] if terms else []
        return _some(checks + _cheapest_first(others))
    # AND: all wanted words in one subset test, all unwanted ones in one disjointness test.
    absent = frozenset(
        c.operand.word for c in others if isinstance(c, Not) and isinstance(c.operand, Term)
    )
    others = [c for c in others if not (isinstance(c, Not) and isinstance(c.operand, Term))]
    checks = [_has_all(terms)] if terms else []
    if absent:
        checks.append(lambda d: absent.isdisjoint(d.words))
    return _every(checks + _cheapest_first(others))


class Query:
    """A compiled query: `matches(document)` says whether a post matches it."""

    __slots__ = ("_match", "node", "text")

    def __init__(self, text: str, node: Node) -> None:
        self.text = text
        self.node = node
        self._match = _matcher(node)

    def __repr__(self) -> str:
        return f"<Query {self.text!r}>"

    def matches(self, doc: Document) -> bool:
        return self._match(doc)


def compile(text: str) -> Query:
    """Parse and prepare a query for matching; raises QueryError."""
    return Query(text, parse(text))
