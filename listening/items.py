"""What a connector hands to the pipeline: plain data, no Django.

Every connector (a feed, the Mastodon API, Bluesky search, a webhook, a CSV/JSONL file) turns
what it reads into `Item`s; `listening.pipeline` does everything after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Item:
    """One post somewhere else that may mention the company.

    `body` is what the source gave: HTML when `body_is_html`, else plain text. Titles may hold
    HTML or entities too; the pipeline's normalising step makes both plain text.
    """

    external_id: str  # the source's own id: a feed entry's guid, a status id, an at:// URI
    url: str = ""  # where the post can be read; empty when the source has none
    title: str = ""
    body: str = ""
    body_is_html: bool = False
    author_name: str = ""
    author_handle: str = ""  # "@ann@mastodon.social", "ann.bsky.social", "u/ann", or ""
    author_url: str = ""
    published_at: datetime | None = None  # timezone-aware when known
    language: str = ""  # ISO 639-1 when the source says, else "" and the pipeline guesses
    network: str = ""  # "mastodon", "bluesky", "reddit" … or "" to take the source's
    extra: dict = field(default_factory=dict)  # anything else worth keeping, JSON-safe


@dataclass(slots=True)
class Poll:
    """What one poll of a source returned: new items and the cursor for the next poll."""

    items: list[Item]
    cursor: dict
    not_modified: bool = False  # every URL answered 304: nothing new
    warnings: list[str] = field(default_factory=list)  # e.g. a malformed feed read in part


class SourceError(Exception):
    """A source could not be read: the message says what went wrong, for the admin to read."""


class RecordError(ValueError):
    """One delivered or imported record is unusable: the message names the field and why."""
