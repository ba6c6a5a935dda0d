"""Rendered message HTML as plain text for e-mail, keeping paragraphs, list items and links
(conversations.markup.plain_text makes one line of it, for teasers)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h2", "h3", "h4", "table", "ul", "ol", "hr"})
_LINES = frozenset({"br", "tr", "li"})
_SPACES = re.compile(r"\s+")


class _Plain(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.pre = 0

    def _at_line_start(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "img" and dict(attrs).get("alt"):
            self.parts.append(f"[{dict(attrs)['alt']}]")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in _LINES and tag != "br":
            self.parts.append("\n")
        if tag == "pre" and self.pre:
            self.pre -= 1
        elif tag == "a" and self.links:
            href = self.links.pop()
            # A bare address shown as its own text needs no repeating.
            if href and href.startswith(("http://", "https://")) and self.parts[-1:] != [href]:
                self.parts.append(f" <{href}>")

    def handle_data(self, data):
        if not self.pre:
            data = _SPACES.sub(" ", data)
            if self._at_line_start():
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)


def email_text(rendered_html: str) -> str:
    parser = _Plain()
    parser.feed(rendered_html)
    parser.close()
    text = "\n".join(line.rstrip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
