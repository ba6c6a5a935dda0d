"""The MIME structure: parsing the raw bytes, walking the parts, decoding the text bodies
and collecting the attachments."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from email import errors, policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value

from .limits import MAX_DEPTH, MAX_FILENAME, MAX_PARTS
from .model import Attachment
from .text import _as_bytes, _decode, _decode_words, _one_line, _recover_8bit

# --------------------------------------------------------------------------- structure


def _trim_preamble(raw: bytes, problems: list[str]) -> bytes:
    """Webhooks sometimes prepend a BOM or blank lines, which would hide every header."""
    trimmed = raw.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    if trimmed != raw and re.match(rb"[!-9;-~]+:", trimmed):
        problems.append("ignored a byte-order mark or blank lines before the headers")
        return trimmed
    return raw


_CONTENT_TYPE_LINE = re.compile(rb"^content-type:[^\n]*(?:\n[ \t][^\n]*)*", re.IGNORECASE | re.M)


def _too_hard_for_default_policy(raw: bytes) -> str | None:
    """The default policy's header parser is quadratic on long quoted or commented
    Content-Type values (seconds for 10 kB) and slow per part; the feed parser runs it on
    every part, so a crafted message could stall a worker."""
    if raw.count(b"\n--") > MAX_PARTS:
        return "very many MIME parts"
    for match in _CONTENT_TYPE_LINE.finditer(raw):
        value = match.group()
        if len(value) > 2000 or sum(value.count(c) for c in b'"()\\') > 40:
            return "an oversized Content-Type header"
    return None


def _parse_structure(raw: bytes, problems: list[str]) -> Message:
    reason = _too_hard_for_default_policy(raw)
    if reason:
        problems.append(f"{reason}: read with the lenient compat32 parser")
    else:
        try:
            return BytesParser(policy=policy.default).parsebytes(raw)
        except Exception as exc:
            problems.append(f"the MIME parser failed ({type(exc).__name__}); read it leniently")
    try:
        return BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception:
        problems.append("the MIME structure could not be read; kept the body as text")
    msg = Message()
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    except Exception:
        msg.set_payload(raw.decode("ascii", "surrogateescape"))
    return msg


# --------------------------------------------------------------------------- MIME body

_DEFECTS = {
    errors.StartBoundaryNotFoundDefect: "malformed MIME: the multipart boundary never appears",
    errors.CloseBoundaryNotFoundDefect: "malformed MIME: the closing boundary is missing",
    errors.NoBoundaryInMultipartDefect: "malformed MIME: a multipart without a boundary",
    errors.MultipartInvariantViolationDefect: "malformed MIME: a multipart without parts",
    errors.MissingHeaderBodySeparatorDefect: (
        "malformed header: a line in a header block is not a header; read the rest as body"
    ),
    errors.FirstHeaderLineIsContinuationDefect: "malformed header: starts with a continuation",
    errors.MisplacedEnvelopeHeaderDefect: "malformed header: a 'From ' line among the headers",
    errors.InvalidBase64PaddingDefect: "broken base64: bad padding, decoded leniently",
    errors.InvalidBase64CharactersDefect: "broken base64: invalid characters, skipped",
    errors.InvalidBase64LengthDefect: "broken base64: truncated, decoded leniently",
    errors.InvalidMultipartContentTransferEncodingDefect: (
        "malformed MIME: a multipart with a transfer encoding"
    ),
}
_TOKEN_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


@dataclass
class _PartInfo:
    content_type: str
    charset: str | None
    filename: str | None
    disposition: str | None
    content_id: str
    boundary: str | None
    report_type: str


def _compat_view(part: Message, problems: list[str]) -> Message:
    """The same headers in a compat32 message, whose parameter parsing cannot raise.
    8-bit bytes are decoded first: compat32 would turn them into U+FFFD."""
    view = Message()
    try:
        view.set_default_type(part.get_default_type())  # message/rfc822 inside a digest
        for name, value in part.raw_items():
            view[name] = _recover_8bit(value, f"header {name}", problems)
    except Exception:
        return Message()
    return view


def _param(view: Message, name: str, header: str = "content-type") -> str | None:
    try:
        value = view.get_param(name, header=header)
        if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
            value = collapse_rfc2231_value(value)
    except Exception:
        return None
    return value if isinstance(value, str) else None


def _describe(part: Message, problems: list[str]) -> _PartInfo:
    # Parameters are read from a compat32 copy of the headers: the default policy re-parses
    # the header on every lookup (slow) and can raise on garbage, compat32 does neither.
    view = _compat_view(part, problems)
    try:
        ctype = view.get_content_type()
    except Exception:
        ctype = "text/plain"  # RFC 2045's default for an unreadable Content-Type
    if not _TOKEN_TYPE.fullmatch(ctype):
        problems.append(f"invalid content type {_one_line(ctype)[:60]!r}; treated as binary")
        ctype = "application/octet-stream"
    filename = _param(view, "filename", "content-disposition") or _param(view, "name")
    try:
        disposition = view.get_content_disposition()
    except Exception:
        disposition = None
    return _PartInfo(
        content_type=ctype,
        charset=_param(view, "charset"),
        filename=filename,
        disposition=_one_line(disposition).lower() if disposition else None,
        content_id=_one_line(str(view.get("content-id", ""))).strip("<> ")[:250],
        boundary=_param(view, "boundary"),
        report_type=(_param(view, "report-type") or "").lower(),
    )


def _serialise(item) -> bytes:
    """A message/rfc822 (or delivery-status) part's content, as bytes for the attachment."""
    try:
        return item.as_bytes(policy=policy.compat32)
    except Exception:  # e.g. RecursionError on absurd nesting: keep the bytes we can get
        payload = item.get_payload() if isinstance(item, Message) else item
        return _as_bytes(payload) if isinstance(payload, str) else b""


def _payload_bytes(part: Message, problems: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        problems.append("a part's transfer encoding could not be decoded; kept it as is")
        data = None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, list):  # message/rfc822, message/delivery-status
            data = b"\n".join(_serialise(item) for item in payload)
        else:
            data = _as_bytes(str(payload or ""))
    return bytes(data)


def _sanitise_filename(name: str | None) -> str:
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    # Format characters include right-to-left overrides, which disguise "exe" as "pdf".
    name = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in name
        if unicodedata.category(c) not in ("Cf", "Cs")
    )
    name = re.sub(r'[<>:"|?*]', "_", " ".join(name.split())).strip(" .")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 20 and stem:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_FILENAME].rstrip(" .")
    return name or "attachment"


def _html_charset(data: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]{1,40})", data[:4096], re.I)
    return match.group(1).decode("ascii") if match else None


class _Body:
    """Walks the MIME tree once, collecting the text and HTML parts and the attachments."""

    def __init__(self, max_bytes: int | None, max_count: int, problems: list[str]):
        self.max_bytes = max_bytes
        self.max_count = max_count
        self.problems = problems
        self.plain_parts: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[Attachment] = []
        self.dropped: list[tuple[str, str, int]] = []
        self.content_types: set[str] = set()
        self.top: _PartInfo | None = None
        self.recoveries = 0

    def plain(self) -> str:
        return "\n\n".join(p.strip("\r\n") for p in self.plain_parts)

    def html(self) -> str:
        return "\n".join(self.html_parts)

    def read(self, msg: Message) -> None:
        for part, info in self._leaves(msg):
            self._leaf(part, info)

    def _leaves(self, msg: Message) -> Iterator[tuple[Message, _PartInfo]]:
        stack: list[tuple[Message, int]] = [(msg, 0)]
        seen = 0
        while stack:
            part, depth = stack.pop()
            seen += 1
            if seen > MAX_PARTS:
                self.problems.append(f"more than {MAX_PARTS} MIME parts; ignored the rest")
                return
            info = _describe(part, self.problems)
            if self.top is None:
                self.top = info
            self.content_types.add(info.content_type)
            if info.content_type.startswith("multipart/"):
                self._note_defects(part)  # a leaf's are noted once it is decoded
                children = part.get_payload()
                if not isinstance(children, list):
                    recovered = self._recover_multipart(part, children, info)
                    children = recovered.get_payload() if recovered is not None else None
                if isinstance(children, list):
                    if depth >= MAX_DEPTH:
                        self.problems.append(f"MIME nested deeper than {MAX_DEPTH}; ignored")
                        continue
                    stack.extend((child, depth + 1) for child in reversed(children))
                    continue
                info.content_type = "text/plain"  # unreadable structure: show it as text
                info.filename = None
            yield part, info

    def _recover_multipart(self, part: Message, payload, info: _PartInfo) -> Message | None:
        """A multipart whose declared boundary never appears: look for the one really used."""
        self.recoveries += 1
        if self.recoveries > 3:  # each attempt re-parses the part: bound the work
            return None
        data = _as_bytes(str(payload or ""))
        for match in re.finditer(
            rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?\n[A-Za-z-]+:", data, re.M
        ):
            boundary = match.group(1)
            if boundary.decode() == info.boundary:
                continue
            header = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
            try:
                parser = BytesParser(policy=getattr(part, "policy", policy.compat32))
                recovered = parser.parsebytes(header + data)
            except Exception:
                return None
            if recovered.is_multipart() and recovered.get_payload():
                self.problems.append(
                    f"multipart boundary {info.boundary!r} not found; "
                    f"read the parts using {boundary.decode()!r}"
                )
                return recovered
            return None
        return None

    def _note_defects(self, part: Message) -> None:
        for defect in getattr(part, "defects", ()):
            message = _DEFECTS.get(type(defect))
            if message is None:
                message = f"malformed message: {type(defect).__name__}"
            self.problems.append(message)

    def _leaf(self, part: Message, info: _PartInfo) -> None:
        data = _payload_bytes(part, self.problems)
        self._note_defects(part)  # after decoding, which finds the base64 defects
        is_body = (
            info.content_type in ("text/plain", "text/html")
            and info.disposition != "attachment"
            and not info.filename
        )
        if is_body:
            charset = info.charset
            if info.content_type == "text/html" and not charset:
                charset = _html_charset(data)
            text = _decode(data, charset, f"the {info.content_type} part", self.problems)
            target = self.plain_parts if info.content_type == "text/plain" else self.html_parts
            target.append(text)
            return
        self._attachment(info, data)

    def _attachment(self, info: _PartInfo, data: bytes) -> None:
        raw_name = info.filename
        if raw_name and "=?" in raw_name:
            raw_name = _decode_words(raw_name, "a file name", self.problems)
        filename = _sanitise_filename(raw_name)
        size = len(data)
        if self.max_bytes is not None and size > self.max_bytes:
            self.problems.append(
                f"attachment {filename!r} ({size:,} bytes) over the "
                f"{self.max_bytes:,}-byte limit, not kept"
            )
            self.dropped.append((filename, info.content_type, size))
            return
        if len(self.attachments) >= self.max_count:
            self.problems.append(
                f"attachment {filename!r} ({size:,} bytes) beyond the "
                f"{self.max_count}-attachment limit, not kept"
            )
            self.dropped.append((filename, info.content_type, size))
            return
        inline = info.disposition == "inline" or (
            info.disposition is None and bool(info.content_id)
        )
        self.attachments.append(
            Attachment(
                filename=filename,
                content_type=info.content_type,
                size=size,
                data=data,
                content_id=info.content_id,
                inline=inline,
            )
        )
