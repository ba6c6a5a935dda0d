"""The ingest pipeline: items in, each mention stored once, those that need it in the inbox.

    normalise → canonical URL + content hash (each mention once) → language → sentiment and
    intent (the fast tier) → match queries → inbox rules → store (Person + Identity,
    Conversation of kind "mention", one Message, Mention, matches) → after commit, the
    background job every message gets: topic, and the default model's finer sentiment

Items go through in chunks; each chunk is one transaction, so a worker killed in the middle
loses only the chunk it was in, and the next run stores it (what was stored is found again by
its URL or hash and counted as a duplicate). Two workers storing the same item at once collide
on the unique URL or hash; the loser's chunk is rolled back and tried again, and then finds the
item stored.
"""

from __future__ import annotations

import hashlib
import html
import re
import secrets
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

import analysis
from accounts.models import Identity, IdentityKind, Person
from analysis import language as language_guess
from analysis import query as query_language
from conversations import targets
from conversations import tasks as conversation_tasks
from conversations.models import (
    Channel,
    Conversation,
    Kind,
    Message,
    Priority,
    ResponseState,
)
from listening import rows
from listening.items import Item
from listening.models import Mention, MentionMatch, Query, Source, SourceKind, ToInbox
from openline.tasks import enqueue

CHUNK = 500
TEXT_MAX = 10_000
TITLE_MAX = 200
RETRIES = 3

_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style|template)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<\s*br\b[^>]*>", re.IGNORECASE)
_BLOCK = re.compile(r"<\s*/(?:p|div|li|h\d|blockquote|pre|tr)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|ref_url|si|_hsenc|_hsmi)$"
)
_HOST_ALIASES = {
    "reddit.com": "www.reddit.com",
    "old.reddit.com": "www.reddit.com",
    "np.reddit.com": "www.reddit.com",
    "m.reddit.com": "www.reddit.com",
}
_CHANNEL_OF_KIND = {
    SourceKind.FEED: Channel.FEED,
    SourceKind.MASTODON: Channel.MASTODON,
    SourceKind.BLUESKY: Channel.BLUESKY,
    SourceKind.WEBHOOK: Channel.WEBHOOK,
    SourceKind.IMPORT: Channel.IMPORT,
}
_IDENTITY_OF_NETWORK = {
    "mastodon": IdentityKind.MASTODON,
    "bluesky": IdentityKind.BLUESKY,
    "reddit": IdentityKind.REDDIT,
}


# --- normalising -----------------------------------------------------------------------------


def to_text(value: str, *, is_html: bool) -> str:
    """Plain text with paragraphs kept: tags dropped, entities decoded, spaces collapsed."""
    if is_html:
        value = _HIDDEN.sub(" ", value)
        value = _TAG.sub(" ", _BLOCK.sub("\n\n", _BREAK.sub("\n", value)))
    value = _CONTROL.sub("", html.unescape(value))
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def one_line(value: str) -> str:
    """A title: HTML and entities decoded to text, on one line."""
    return _SPACES.sub(" ", to_text(value, is_html="<" in value).replace("\n", " ")).strip()


def canonical_url(url: str) -> str:
    """The URL every copy of a post shares: http(s) only, host lower-case without default
    port, no fragment, no tracking parameters, the rest of the query sorted."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    host = _HOST_ALIASES.get(host, host)
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    path = parts.path or "/"
    if host == "www.reddit.com" and len(path) > 1:
        path = path.rstrip("/") + "/"  # Reddit serves every post with and without the slash
    return urlunsplit((scheme, host, path, urlencode(query), ""))[:1000]


def site_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")[:200]


def content_hash(author: str, text: str) -> str:
    """Two deliveries of the same words by the same author are the same mention."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(f"{author.casefold().strip()}\n{folded}".encode()).hexdigest()


@dataclass(slots=True)
class Prepared:
    item: Item
    text: str
    title: str
    url: str
    site: str
    hash: str
    channel: str
    network: str
    written_at: datetime
    language: str = ""
    query_ids: list[int] = field(default_factory=list)
    analysis: analysis.Analysis | None = None
    needs_answer: bool = False
    reason: str = ""


@dataclass
class Result:
    """What a run of the pipeline did."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0  # matched no active query, from a source that keeps only matches
    to_inbox: int = 0
    errors: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)

    def add(self, other: Result) -> None:
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.unmatched += other.unmatched
        self.to_inbox += other.to_inbox
        self.errors.extend(other.errors)
        self.message_ids.extend(other.message_ids)

    def summary(self) -> str:
        parts = [f"{self.received} received", f"{self.stored} stored"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already stored")
        if self.unmatched:
            parts.append(f"{self.unmatched} matched no query")
        if self.to_inbox:
            parts.append(f"{self.to_inbox} sent to the inbox")
        if self.errors:
            parts.append(f"{len(self.errors)} unusable")
        return ", ".join(parts)


_NETWORK_CHANNELS = frozenset(Channel.values) - {Channel.WEB, Channel.EMAIL, Channel.API}


def _channel(source: Source | None, network: str) -> str:
    if network in _NETWORK_CHANNELS:
        return network
    if source is None:
        return Channel.IMPORT
    return _CHANNEL_OF_KIND.get(source.kind, Channel.FEED)


def prepare(item: Item, source: Source | None, now: datetime) -> Prepared:
    """Normalise one item; raises ValueError when nothing is left to store."""
    text = to_text(item.body, is_html=item.body_is_html)[:TEXT_MAX]
    title = one_line(item.title)[:TITLE_MAX]
    if not text:
        text = title
    if not text:
        raise ValueError(f"item {item.external_id or item.url or '?'} has no text")
    url = canonical_url(item.url) if item.url else ""
    author_key = item.author_handle or item.author_url or item.author_name
    network = (item.network or "").lower()
    written = item.published_at or now
    if timezone.is_naive(written):
        written = timezone.make_aware(written, timezone.UTC)
    return Prepared(
        item=item,
        text=text,
        title=title,
        url=url,
        site=site_of(url or item.author_url),
        hash=content_hash(author_key, text),
        channel=_channel(source, network),
        network=network,
        written_at=min(written, now),
        language=(item.language or "").lower()[:8],
    )


# --- queries and rules -----------------------------------------------------------------------

_compiled_lock = threading.Lock()
_compiled: dict[tuple[int, str], query_language.Query] = {}


@dataclass(frozen=True, slots=True)
class ActiveQuery:
    pk: int
    name: str
    to_inbox: str
    compiled: query_language.Query


def active_queries() -> list[ActiveQuery]:
    """The active queries, compiled once per process and again only when their text changes."""
    rows = list(Query.objects.filter(active=True).values_list("pk", "name", "text", "to_inbox"))
    result = []
    with _compiled_lock:
        for pk, name, text, to_inbox in rows:
            compiled = _compiled.get((pk, text))
            if compiled is None:
                try:
                    compiled = query_language.compile(text)
                except query_language.QueryError:
                    continue  # saved before the rules changed; the queries page shows the error
                _compiled[(pk, text)] = compiled
            result.append(ActiveQuery(pk, name, to_inbox, compiled))
    return result


def match(p: Prepared, queries: Sequence[ActiveQuery]) -> None:
    if not queries:
        return
    doc = query_language.document(
        f"{p.title}\n{p.text}" if p.title and p.title not in p.text else p.text,
        lang=p.language,
        author_handle=p.item.author_handle,
        author_name=p.item.author_name,
        site=p.site,
    )
    p.query_ids = [q.pk for q in queries if q.compiled.matches(doc)]


def decide(p: Prepared, queries: Sequence[ActiveQuery], now: datetime) -> None:
    """Does this mention need an answer? Sets `needs_answer` and a reason staff can read."""
    matched = [q for q in queries if q.pk in p.query_ids]
    if now - p.written_at > timedelta(days=settings.LISTENING_MAX_AGE_DAYS):
        p.needs_answer, p.reason = False, f"older than {settings.LISTENING_MAX_AGE_DAYS} days"
        return
    for q in matched:
        if q.to_inbox == ToInbox.ALWAYS:
            p.needs_answer, p.reason = True, f"query “{q.name}” sends every match"
            return
    for q in matched:
        if q.to_inbox == ToInbox.NEVER:
            p.needs_answer, p.reason = False, f"query “{q.name}” never sends to the inbox"
            return
    rules = settings.LISTENING_INBOX_RULES
    result = p.analysis
    lowered = p.text.casefold()
    if "addressed" in rules:
        for handle in settings.LISTENING_BRAND_HANDLES:
            if handle and handle.casefold() in lowered:
                p.needs_answer, p.reason = True, f"addressed to {handle}"
                return
    if result is not None:
        if "question" in rules and result.intent == "question":
            p.needs_answer, p.reason = True, "a question"
            return
        if "negative" in rules and result.sentiment == "negative":
            p.needs_answer, p.reason = True, "negative"
            return
        if "complaint" in rules and result.intent == "complaint":
            p.needs_answer, p.reason = True, "a complaint"
            return
    p.needs_answer, p.reason = False, "no rule asks for an answer"


# --- storing ---------------------------------------------------------------------------------


def _identity_key(p: Prepared) -> tuple[str, str, str]:
    """(identity kind, value, display name) for the item's author."""
    item = p.item
    kind = _IDENTITY_OF_NETWORK.get(p.network, IdentityKind.OTHER)
    if item.author_handle:
        value = item.author_handle
        if kind == IdentityKind.OTHER and p.site:
            value = f"{value} on {p.site}"
    elif item.author_url:
        kind, value = IdentityKind.OTHER, item.author_url
    else:
        kind = IdentityKind.OTHER
        value = f"{item.author_name or 'someone'} on {p.site or 'an unknown site'}"
    name = item.author_name or item.author_handle or f"Someone on {p.site or 'another site'}"
    return kind, value[:320], one_line(name)[:120] or "Someone"


def _authors(prepared: Sequence[Prepared]) -> dict[tuple[str, str], int]:
    """Person ids by (identity kind, lower-cased value), creating the people not known yet."""
    wanted: dict[tuple[str, str], tuple[str, str, str]] = {}
    for p in prepared:
        kind, value, name = _identity_key(p)
        wanted.setdefault((kind, value.lower()), (kind, value, name))
    found: dict[tuple[str, str], int] = {}
    kinds = {kind for kind, _ in wanted}
    for kind in kinds:
        values = [v for k, v in wanted if k == kind]
        for value, person_id in (
            Identity.objects.annotate(lowered=Lower("value"))
            .filter(kind=kind, lowered__in=values)
            .values_list("lowered", "person_id")
        ):
            found[(kind, value)] = person_id
    missing = [key for key in wanted if key not in found]
    if missing:
        now = timezone.now()
        people = Person.objects.bulk_create(
            [Person(display_name=wanted[key][2], created_at=now) for key in missing]
        )
        Identity.objects.bulk_create(
            [
                Identity(person=person, kind=wanted[key][0], value=wanted[key][1])
                for key, person in zip(missing, people, strict=True)
            ]
        )
        for key, person in zip(missing, people, strict=True):
            found[key] = person.pk
    return found


def _body_html(text: str) -> str:
    """The text as HTML: escaped, so it is safe by construction; paragraphs and line breaks kept."""
    return "".join(
        f"<p>{html.escape(para).replace(chr(10), '<br>')}</p>" for para in text.split("\n\n")
    )


def _store(prepared: list[Prepared], source: Source | None, now: datetime) -> list[int]:
    """Write the mentions; returns the ids of their messages."""
    authors = _authors(prepared)
    version = analysis.version(settings.LISTENING_SENTIMENT_MODEL)
    conversations, messages, mentions = [], [], []
    due: dict[str, tuple[datetime, datetime]] = {}  # the targets, the same for every channel
    for p in prepared:
        kind, value, _name = _identity_key(p)
        author_id = authors[(kind, value.lower())]
        title = p.title or p.text.replace("\n", " ")[:80]
        conversation = {
            "kind": Kind.MENTION,
            "is_public": False,
            "title": title[:TITLE_MAX],
            "slug": f"mention-{secrets.token_hex(8)}",
            "summary": p.text.replace("\n", " ")[:280],
            "author_id": author_id,
            "published_at": p.written_at,
            "created_at": now,
            "updated_at": now,
            "last_activity_at": p.written_at,
        }
        result = p.analysis
        message = {
            "author_id": author_id,
            "is_opening": True,
            "body_md": p.text,
            "body_html": _body_html(p.text),
            "channel": p.channel,
            "external_url": p.url,
            "created_at": p.written_at,
            "updated_at": now,
            "sentiment": result.sentiment if result else "",
            "sentiment_score": result.sentiment_score if result else None,
            "intent": result.intent if result else "",
            "analysed_with": version if result else "",
        }
        if p.needs_answer:
            if p.channel not in due:
                due[p.channel] = (
                    targets.due_at(now, p.channel, Priority.NORMAL),
                    targets.resolution_due_at(now, p.channel, Priority.NORMAL),
                )
            conversation["opened_at"] = now
            conversation["resolution_due_at"] = due[p.channel][1]
            message["response_state"] = ResponseState.AWAITING
            message["due_at"] = due[p.channel][0]
        else:
            message["response_state"] = ResponseState.NO_REPLY_NEEDED
            message["no_reply_reason"] = f"Listening: {p.reason}"[:200]
            message["closed_at"] = now
        conversations.append(conversation)
        messages.append(message)
        mentions.append(
            {
                "source_id": source.pk if source is not None else None,
                "external_id": p.item.external_id[:500],
                "url": p.url,
                "content_hash": p.hash,
                "site": p.site,
                "author": " ".join(filter(None, (p.item.author_handle, p.item.author_name)))[:300],
                "language": p.language,
                "published_at": p.item.published_at,
                "needs_answer": p.needs_answer,
                "inbox_reason": p.reason[:120],
                "created_at": p.written_at,
                "extra": p.item.extra or {},
            }
        )
    for conversation_id, message in zip(
        rows.insert(Conversation, conversations), messages, strict=True
    ):
        message["conversation_id"] = conversation_id
    message_ids = rows.insert(Message, messages)
    for message_id, mention in zip(message_ids, mentions, strict=True):
        mention["message_id"] = message_id
    mention_ids = rows.insert(Mention, mentions)
    rows.insert(
        MentionMatch,
        [
            {"mention_id": mention_id, "query_id": query_id, "created_at": p.written_at}
            for p, mention_id in zip(prepared, mention_ids, strict=True)
            for query_id in p.query_ids
        ],
    )
    return message_ids


def _new_only(prepared: list[Prepared], result: Result) -> list[Prepared]:
    """Drop what is already stored, or twice in this chunk (same canonical URL or same hash)."""
    urls = {p.url for p in prepared if p.url}
    hashes = {p.hash for p in prepared}
    known_urls = set(Mention.objects.filter(url__in=urls).values_list("url", flat=True))
    known_hashes = set(
        Mention.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True)
    )
    fresh = []
    for p in prepared:
        if (p.url and p.url in known_urls) or p.hash in known_hashes:
            result.duplicates += 1
            continue
        if p.url:
            known_urls.add(p.url)
        known_hashes.add(p.hash)
        fresh.append(p)
    return fresh


def _ingest_chunk(
    prepared: list[Prepared], source: Source | None, queries: Sequence[ActiveQuery], now
) -> Result:
    result = Result()
    with transaction.atomic():
        fresh = _new_only(prepared, result)
        keep_all = source is None or source.keep_all
        kept = []
        for p in fresh:
            if not p.language:
                p.language = language_guess.detect(p.text)
            match(p, queries)
            if p.query_ids or keep_all:
                kept.append(p)
            else:
                result.unmatched += 1
        scored = analysis.analyse_many([p.text for p in kept], settings.LISTENING_SENTIMENT_MODEL)
        for p, scores in zip(kept, scored, strict=True):
            p.analysis = scores
            decide(p, queries, now)
        if kept:
            result.message_ids = _store(kept, source, now)
            # Topics, and the default model's finer sentiment, follow in the background,
            # as for every message (conversations.scoring).
            enqueue(conversation_tasks.analyse_messages, result.message_ids)
            result.stored = len(kept)
            result.to_inbox = sum(p.needs_answer for p in kept)
        if source is not None and source.pk:
            Source.objects.filter(pk=source.pk).update(
                items_seen=F("items_seen") + len(prepared),
                mentions_stored=F("mentions_stored") + result.stored,
            )
    return result


def ingest(items: Iterable[Item], *, source: Source | None = None, now=None) -> Result:
    """Store `items` as mentions; returns what happened. Safe to run again on the same items."""
    now = now or timezone.now()
    total = Result()
    queries = active_queries()
    chunk: list[Prepared] = []

    def flush():
        for attempt in range(RETRIES):
            try:
                done = _ingest_chunk(chunk, source, queries, now)
            except IntegrityError:
                # Another worker stored some of these meanwhile: the retry finds them stored.
                if attempt == RETRIES - 1:
                    raise
                continue
            done.received = len(chunk)
            total.add(done)
            return

    for item in items:
        try:
            chunk.append(prepare(item, source, now))
        except ValueError as exc:
            total.received += 1
            total.errors.append(str(exc))
            continue
        if len(chunk) >= CHUNK:
            flush()
            chunk = []
    if chunk:
        flush()
    return total
