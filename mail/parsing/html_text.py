"""HTML bodies as readable plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .text import _clean_text

_BLOCK = {
    "div", "tr", "table", "ul", "ol", "dl", "dt", "dd", "pre", "section", "article",
    "header", "footer", "address", "center", "form", "fieldset", "tbody", "thead",
}  # fmt: skip
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_SKIP = {"script", "style", "head", "title", "template", "xml"}


def _quote_prefix(depth: int) -> str:
    return "> " * min(depth, 10)  # deeper nesting adds nothing readable, only bytes


class _HtmlText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buf: list[str] = []
        self._buf_depth = 0
        self._depth = 0  # blockquote nesting, rendered as "> " prefixes
        self._want = 0  # line breaks owed before the next text
        self._skip: list[str] = []
        self._pre = 0
        self._bullet = ""

    def _end_line(self) -> None:
        line = (_quote_prefix(self._buf_depth) + "".join(self._buf)).rstrip()
        self.lines.append(line)
        self._buf = []

    def _pay_breaks(self) -> None:
        if not self._want:
            return
        extra = self._want - 1
        if self._buf:
            self._end_line()
        elif not self.lines:
            extra = 0
        if extra and self.lines and self.lines[-1].strip("> "):
            self.lines.append(_quote_prefix(self._depth).rstrip())
        self._want = 0

    def _break(self, count: int) -> None:
        self._want = max(self._want, count)

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._skip.clear()
        if tag in _SKIP:
            self._skip.append(tag)
        elif tag == "br":
            self._pay_breaks()
            if self._buf:
                self._end_line()
            else:
                self.lines.append(_quote_prefix(self._depth).rstrip())
        elif tag == "blockquote":
            self._break(1)
            self._depth += 1
        elif tag == "li":
            self._break(1)
            self._bullet = "- "
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    continue
            return
        if tag == "blockquote":
            self._break(1)
            self._depth = max(0, self._depth - 1)
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK or tag == "li":
            self._break(1)
        elif tag in ("td", "th") and self._buf:
            self._buf.append(" ")
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data):
        if self._skip:
            return
        data = data.replace("\u200b", "").replace("\ufeff", "")
        if self._pre:
            chunks = data.replace("\r\n", "\n").split("\n")
        else:
            chunks = [re.sub(r"[\s\xa0]+", " ", data)]
        for index, chunk in enumerate(chunks):
            if index:
                self._break(1)
            self._text(chunk)

    def _text(self, text: str) -> None:
        self._pay_breaks()
        if not self._buf:
            text = text if self._pre else text.lstrip()
            if not text:
                return
            self._buf_depth = self._depth
            if self._bullet:
                text, self._bullet = self._bullet + text, ""
        self._buf.append(text)

    def result(self) -> str:
        if self._buf:
            self._end_line()
        text = "\n".join(self.lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_ORPHAN_LT = re.compile(r"<(?![^<>]*>)")
_MARKED_SECTION = re.compile(r"<!\[[^<>]*>")


def _tame_html(html: str) -> str:
    """html.parser rescans from every unterminated construct ("<!--", "</", "<![")
    to the end of the input, which is quadratic; resolve those first, in linear time."""
    html = _HTML_COMMENT.sub(" ", html)
    html = _ORPHAN_LT.sub("&lt;", html)  # a "<" with no ">" before the next "<" is text
    return _MARKED_SECTION.sub(" ", html)  # Outlook's <![if !mso]> and CDATA


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body; <blockquote> becomes "> " quoting."""
    html = _tame_html(html)
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
        return _clean_text(parser.result())
    except Exception:  # html.parser can still trip over odd markup; strip tags by hand
        text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)\s*>", "\n", html)
        text = re.sub(r"<[^<>]*>", " ", text)
        lines = (" ".join(line.split()) for line in text.splitlines())
        return _clean_text(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
