"""RSS 0.9x/1.0/2.0 and Atom feeds, read with feedparser from the bytes the Fetcher got.

Feeds are read whole on every poll; the pipeline drops what it has already stored. The
Fetcher's ETag / Last-Modified make an unchanged feed a cheap 304. The connector keeps no
cursor of its own.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from listening.connectors.records import check_fields, http_url, language_code
from listening.fetch import Fetcher, Response
from listening.items import Item, Poll, SourceError

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_ID_LENGTH = 500  # Mention.external_id
# A Mastodon server's own feeds: /tags/larder.rss and /@larder.rss.
MASTODON_FEED_PATH = re.compile(r"^/(tags/[^/]+|@[^/@]+)\.rss$")
MASTODON_POST_PATH = re.compile(r"^/@([^/@]+)(?:@([^/]+))?/\d+")
ALTERNATE_LINK = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']?alternate)(?=[^>]*\btype=[\"']?application/(?:rss|atom)\+xml)"
    r"[^>]*\bhref=[\"']([^\"']+)",
    re.IGNORECASE,
)


def check_config(config: dict) -> dict:
    config = check_fields(config, required=("url",))
    return {"url": http_url(config["url"], "url")}


def poll(config: dict, cursor: dict, fetcher: Fetcher) -> Poll:
    response = fetcher.get(config["url"], headers={"Accept": ACCEPT})
    if response.not_modified:
        return Poll(items=[], cursor=dict(cursor), not_modified=True)
    headers = {"content-location": response.url}
    for name in ("content-type", "content-language"):
        if response.headers.get(name):
            headers[name] = response.headers[name]
    # Bytes, never a URL: feedparser would fetch a URL itself, past every check in Fetcher.
    parsed = feedparser.parse(response.content, response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise SourceError(_unreadable(parsed, response))
    warnings = [_malformed(parsed)] if parsed.bozo else []
    mastodon = bool(MASTODON_FEED_PATH.match(urlsplit(response.url).path)) or str(
        parsed.feed.get("generator", "")
    ).startswith("Mastodon")
    items = [_item(entry, parsed.feed, mastodon) for entry in parsed.entries]
    return Poll(items=items, cursor=dict(cursor), warnings=warnings)


def _unreadable(parsed, response: Response) -> str:
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    head = response.content[:65536].decode("utf-8", "replace")
    if "html" in content_type or re.match(r"\s*(<!doctype html|<html)", head, re.IGNORECASE):
        message = f"not an RSS or Atom feed: {response.url} is a web page"
        if found := ALTERNATE_LINK.search(head):
            message += f"; the page names its feed: {urljoin(response.url, found.group(1))}"
        return message
    if parsed.version:
        return f"the feed at {response.url} cannot be read: {_reason(parsed)}"
    return (
        f"not an RSS or Atom feed: {response.url} sent {content_type or 'no content type'}"
        f" ({_reason(parsed)})"
    )


def _malformed(parsed) -> str:
    count = len(parsed.entries)
    read = f"{count} entries were read anyway" if count != 1 else "1 entry was read anyway"
    if isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        return f"the feed's character encoding is wrong ({parsed.bozo_exception}); {read}"
    return f"the feed is malformed ({_reason(parsed)}); {read}"


def _reason(parsed) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "no RSS or Atom elements found"
    # Not the line number: feedparser re-encodes the document first, which shifts the lines.
    return getattr(exc, "getMessage", lambda: str(exc))()


def _item(entry, feed, mastodon: bool) -> Item:
    link = entry.get("link", "")
    title = entry.get("title", "")
    body, body_is_html, body_language = _body(entry)
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    external_id = entry.get("id") or link
    if not external_id or len(external_id) > MAX_ID_LENGTH:
        seed = "\n".join([external_id, title, entry.get("published", entry.get("updated", ""))])
        if not entry.get("id") and not link:
            seed += "\n" + body  # two undated entries with one title are still two
        external_id = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    author = entry.get("author_detail") or {}
    item = Item(
        external_id=external_id,
        url=link,
        title=title,
        body=body,
        body_is_html=body_is_html,
        author_name=author.get("name") or entry.get("author", ""),
        author_url=author.get("href", ""),
        published_at=datetime(*when[:6], tzinfo=UTC) if when else None,
        language=language_code(
            body_language
            or (entry.get("title_detail") or {}).get("language")
            or feed.get("language")
        ),
    )
    tags = [tag.get("label") or tag.get("term") for tag in entry.get("tags", [])]
    if tags := [tag.strip() for tag in tags if tag and tag.strip()]:
        item.extra["tags"] = tags
    host = (urlsplit(link).hostname or "").lower()
    if host == "reddit.com" or host.endswith(".reddit.com"):
        item.network = "reddit"
        if item.author_name.startswith(("/u/", "u/")):
            item.author_name = item.author_name.split("u/", 1)[1]
            item.author_handle = "u/" + item.author_name
    elif mastodon:
        item.network = "mastodon"
        if post := MASTODON_POST_PATH.match(urlsplit(link).path):
            user, user_host = post.group(1), post.group(2) or host
            item.author_handle = f"@{user}@{user_host}"
            item.author_url = item.author_url or f"https://{user_host}/@{user}"
            item.author_name = item.author_name or user
    return item


def _body(entry) -> tuple[str, bool, str]:
    """(text, is HTML, language). HTML content first (RSS content:encoded, Atom content), then
    the summary (RSS description), then any other content: feedparser also files an image's
    media:description under content, which is not the post."""
    contents = entry.get("content", [])
    html = [c for c in contents if c.get("type") in HTML_TYPES]
    summary = entry.get("summary_detail")
    for detail in (*html, summary, *contents):
        if detail and detail.get("value"):
            return detail["value"], detail.get("type") in HTML_TYPES, detail.get("language") or ""
    return "", False, ""
