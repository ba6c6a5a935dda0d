"""Markdown to safe HTML, done once when a message is written.

Customers' Markdown is rendered with raw HTML switched off (a `<script>` shows as
text, nothing is lost); staff may use inline HTML. Either way nh3 sanitises the
result against one allow-list, and links get rel="nofollow ugc noopener".
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    return md


_CUSTOMER = _parser(allow_html=False)
_STAFF = _parser(allow_html=True)


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def render_markdown(source: str, *, trusted: bool = False) -> str:
    """Markdown source to sanitised HTML. Never raises on odd input."""
    source = source.replace("\x00", "")
    parser = _STAFF if trusted else _CUSTOMER
    return sanitise(parser.render(source))


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(rendered_html: str, limit: int | None = None) -> str:
    """Text of rendered HTML, for teasers, feeds and e-mails."""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", rendered_html))).strip()
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1].rsplit(" ", 1)[0]
        text = cut.rstrip(",.;:") + "…"
    return text
