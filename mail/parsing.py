"""Reading an inbound e-mail: plain Python, no Django.

The SMTP listener, IMAP polling and the webhook all hand raw bytes to `parse()`, which
returns a `ParsedEmail`. Bad input must never cost us the customer's message, so
`parse()` does not raise on malformed mail (only `TypeError` for non-bytes): it returns
its best reading and lists what was wrong in `problems`.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors, policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

__all__ = ["Attachment", "ParsedEmail", "address_token", "html_to_text", "parse", "strip_quoted"]


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised; "attachment" when the mail gives none
    content_type: str  # lower case, e.g. "application/pdf"
    size: int  # decoded size in bytes
    data: bytes
    content_id: str = ""  # without <>, for inline images
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    reply_to: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str
    reply_text: str
    attachments: list[Attachment]
    kind: str  # "customer" | "auto_reply" | "bounce" | "loop"
    problems: list[str]
    headers: dict[str, str]
    # (filename, content_type, size) of attachments over a limit, whose bytes were not kept.
    dropped_attachments: list[tuple[str, str, int]] = field(default_factory=list)


MAX_PROBLEMS = 50
MAX_ID_LENGTH = 250  # a message id longer than this is treated as invalid
MAX_REFERENCES = 100
MAX_PARTS = 500
MAX_DEPTH = 30
MAX_FILENAME = 200
MAX_ADDRESSES = 500  # per header
MAX_LINE = 998  # RFC 5322's line limit, applied to the subject, names and audit headers
MAX_HTML_TO_CONVERT = 1_000_000  # characters; html.parser needs about a second per million
AUDIT_HEADERS = ("Message-ID", "From", "To", "Subject", "Date", "Auto-Submitted", "Return-Path")
ENVELOPE_HEADERS = ("delivered-to", "x-original-to", "x-envelope-to", "envelope-to", "x-rcpt-to")


# --------------------------------------------------------------------------- public API


def parse(
    raw: bytes,
    *,
    own_domains: Iterable[str] = (),
    loop_header: str = "X-Openline-Loop",
    max_attachment_bytes: int | None = None,
    max_attachments: int = 50,
) -> ParsedEmail:
    """Read one raw RFC 5322 message; never raises on malformed input."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse() needs bytes, not {type(raw).__name__}")
    raw = bytes(raw)
    problems: list[str] = []
    try:
        return _parse(
            raw, problems, _domains(own_domains), loop_header, max_attachment_bytes, max_attachments
        )
    except Exception as exc:  # the last line of defence: keep the text, whatever happened
        problems.append(f"internal error while parsing ({type(exc).__name__}); kept the raw text")
        text = _clean_text(_decode(raw, None, "the message", problems))
        return ParsedEmail(
            message_id=_generated_id(raw),
            in_reply_to=[],
            references=[],
            from_address="",
            from_name="",
            reply_to="",
            to=[],
            cc=[],
            delivered_to=[],
            subject="",
            date=None,
            text=text,
            html="",
            reply_text=text.strip(),
            attachments=[],
            kind="customer",
            problems=_finish_problems(problems),
            headers={},
        )


def address_token(address: str) -> str | None:
    """The plus-addressing token: "support+abc123@example.com" -> "abc123", else None."""
    if not isinstance(address, str):
        return None
    address = address.strip()
    if "<" in address:
        pairs = _getaddresses([address[:1000]])
        address = pairs[0][1] if pairs else ""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    token = local.partition("+")[2]
    if not token or any(c.isspace() or ord(c) < 32 or c in "<>\"'" for c in token):
        return None
    return token


# --------------------------------------------------------------------------- the parse


def _parse(raw, problems, own_domains, loop_header, max_bytes, max_count) -> ParsedEmail:
    if not raw.strip():
        problems.append("empty input" if not raw else "input is only whitespace")
    msg = _parse_structure(_trim_preamble(raw, problems), problems)
    headers = _Headers(msg, problems)

    message_id = _message_id(headers, raw, problems)
    in_reply_to = _id_list(headers.values("in-reply-to"))
    references = _id_list(headers.values("references"))
    if len(references) > MAX_REFERENCES:  # keep the thread root and the most recent ones
        references = references[:1] + references[-(MAX_REFERENCES - 1) :]

    from_name, from_address, from_local = _from(msg, headers, problems)
    reply_to = next((a for _, a in _addresses(msg, headers, "reply-to", problems)), "")
    to = _unique(a for _, a in _addresses(msg, headers, "to", problems))
    cc = _unique(a for _, a in _addresses(msg, headers, "cc", problems))
    delivered_to = _unique(
        a for name in ENVELOPE_HEADERS for _, a in _addresses(None, headers, name, problems)
    )
    subject_raw = headers.first("subject")
    subject = _one_line(headers.decoded(subject_raw, "Subject")) if subject_raw else ""
    if len(subject) > MAX_LINE:
        problems.append(f"Subject over {MAX_LINE} characters; shortened")
        subject = subject[:MAX_LINE]
    date = _date(headers.first("date"), problems)

    body = _Body(max_bytes, max_count, problems)
    body.read(msg)
    html = _clean_text(body.html()).strip("\n")
    text = _clean_text(body.plain()).strip("\n").rstrip()
    if not text.strip() and html.strip():
        if len(html) > MAX_HTML_TO_CONVERT:
            problems.append(
                f"HTML body over {MAX_HTML_TO_CONVERT:,} characters; text from its start"
            )
        text = html_to_text(html[:MAX_HTML_TO_CONVERT])

    kind = _kind(
        headers,
        body,
        subject=subject,
        from_address=from_address,
        from_local=from_local,
        own_domains=own_domains,
        loop_header=loop_header,
    )
    audit = {}
    for name in AUDIT_HEADERS:
        value = headers.first(name.lower())
        if value is not None:
            audit[name] = _one_line(headers.recovered(value, name))[:MAX_LINE]

    return ParsedEmail(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        to=to,
        cc=cc,
        delivered_to=delivered_to,
        subject=subject,
        date=date,
        text=text,
        html=html,
        reply_text=strip_quoted(text),
        attachments=body.attachments,
        kind=kind,
        problems=_finish_problems(problems),
        headers=audit,
        dropped_attachments=body.dropped,
    )


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


def _domains(own_domains: Iterable[str]) -> tuple[str, ...]:
    if isinstance(own_domains, str):  # a single domain passed by mistake: don't iterate chars
        own_domains = [own_domains]
    return tuple(d for d in (str(d).strip().lower().lstrip("@.") for d in own_domains) if d)


def _finish_problems(problems: list[str]) -> list[str]:
    unique = _unique(_one_line(p)[:300] for p in problems)
    if len(unique) > MAX_PROBLEMS:
        more = len(unique) - MAX_PROBLEMS + 1
        unique = [*unique[: MAX_PROBLEMS - 1], f"... and {more} more problems"]
    return unique


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# --------------------------------------------------------------------------- text helpers

_SURROGATES = re.compile("[\ud800-\udfff]")
_ONE_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _one_line(value: str) -> str:
    """A header-safe single line: no CR/LF or other controls, whitespace collapsed."""
    value = _SURROGATES.sub("\ufffd", value)
    return " ".join(_ONE_LINE_CONTROLS.sub(" ", value).split())


def _clean_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _SURROGATES.sub("\ufffd", value).replace("\ufeff", "")
    # PostgreSQL refuses NUL in text, and the other C0 controls are never meant.
    return _BODY_CONTROLS.sub("", value)


# Labels that mail clients use for a codec Python knows under another name, or for which a
# superset is what the sender really meant.
_CHARSET_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-sjis": "shift_jis",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}
# Bytes 0x80-0x9f declared as Latin-1 are in practice Windows-1252 punctuation (as browsers assume).
_SUPERSETS = {"iso8859-1": ("cp1252", "latin-1")}
_UNSAFE_CODECS = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}


def _codec(charset: str) -> str | None:
    name = charset.strip().strip("\"'").lower().partition("*")[0]
    name = _CHARSET_ALIASES.get(name, name)
    if not name or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _UNSAFE_CODECS:
        return None
    return info.name


def _decode(data: bytes, charset: str | None, what: str, problems: list[str]) -> str:
    """Decode with the declared charset, else utf-8, windows-1252, latin-1; never raises."""
    declared = _one_line(charset or "").lower()
    codec = _codec(declared) if declared else None
    if codec:
        for candidate in _SUPERSETS.get(codec, (codec,)):
            try:
                return data.decode(candidate)
            except (UnicodeError, LookupError, ValueError):
                continue
    for fallback in ("utf-8", "windows-1252", "latin-1"):
        try:
            text = data.decode(fallback)
            break
        except UnicodeDecodeError:
            continue
    if declared and not codec:
        problems.append(f"unknown charset {declared!r} in {what} decoded as {fallback}")
    elif declared:
        problems.append(f"{what} is not valid {declared!r}; decoded as {fallback}")
    elif fallback != "utf-8":
        problems.append(f"8-bit text without a charset in {what} decoded as {fallback}")
    return text


def _as_bytes(text: str) -> bytes:
    """The parser keeps undecodable bytes as surrogate escapes; this gives them back."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that was not an escape
        return text.encode("utf-8", "replace")


def _recover_8bit(value: str, what: str, problems: list[str]) -> str:
    """Raw 8-bit bytes in a header: UTF-8 (RFC 6532) or, failing that, Windows-1252."""
    if not _SURROGATES.search(value):
        return value
    data = _as_bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, None, what, problems)


def _b64decode(data: bytes | str) -> bytes:
    """Base64 that tolerates missing padding, line noise and stray characters."""
    if isinstance(data, str):
        data = data.encode("ascii", "ignore")
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    if len(data) % 4 == 1:  # a lone trailing character carries no whole byte
        data = data[:-1]
    try:
        return base64.b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return b""


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")


def _decode_words(value: str, what: str, problems: list[str]) -> str:
    """RFC 2047 encoded words, joining adjacent words of one charset before decoding,
    since senders split multi-byte characters across words."""
    pieces: list[tuple[str | None, bytes | str]] = []
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if gap and not (gap.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, gap))
        charset, encoding, payload = match.groups()
        if encoding in "bB":
            data = _b64decode(payload)
        else:
            data = binascii.a2b_qp(_as_bytes(payload), header=True)
        pieces.append((charset.lower(), data))
        pos = match.end()
    if pos < len(value):
        pieces.append((None, value[pos:]))

    out: list[str] = []
    i = 0
    while i < len(pieces):
        charset, data = pieces[i]
        if charset is None:
            out.append(str(data))
            i += 1
            continue
        joined = bytearray()
        while i < len(pieces) and pieces[i][0] == charset:
            joined += pieces[i][1]  # type: ignore[operator]
            i += 1
        out.append(_decode(bytes(joined), charset, what, problems))
    return "".join(out)


# --------------------------------------------------------------------------- headers


class _Headers:
    """Raw header values (unfolded, from the parser's source text) plus safe decoding."""

    def __init__(self, msg: Message, problems: list[str]):
        self.problems = problems
        self._values: dict[str, list[str]] = {}
        try:
            items = list(msg.raw_items())
        except Exception:
            items = []
            problems.append("the header block could not be read")
        for name, value in items:
            key = _one_line(str(name)).lower()
            self._values.setdefault(key, []).append(re.sub(r"[\r\n]+", "", str(value)))

    def has(self, name: str) -> bool:
        return name.lower() in self._values

    def values(self, name: str) -> list[str]:
        return self._values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        values = self.values(name)
        return values[0] if values else None

    def recovered(self, value: str, name: str) -> str:
        return _recover_8bit(value, f"header {name}", self.problems)

    def decoded(self, value: str, name: str) -> str:
        return _decode_words(self.recovered(value, name), f"header {name}", self.problems)


_ADDRESS = re.compile(r"[^\s@<>,;:\"()\\\[\]]+@[^\s@<>,;:\"()\\]+")


def _clean_address(value: str) -> str | None:
    value = _one_line(value).strip().strip("<>").strip()
    if len(value) > 254 or not _ADDRESS.fullmatch(value):
        return None
    return value.lower()


def _getaddresses(values: list[str]) -> list[tuple[str, str]]:
    try:
        return getaddresses(values)
    except Exception:  # deeply nested comments overflow its recursion: take what looks right
        tokens = (t for v in values for t in re.split(r"[\s<>,;:\"()]+", v))
        return [("", t) for t in tokens if len(t) <= 254 and _ADDRESS.fullmatch(t)]


def _simple_enough(values: list[str]) -> bool:
    """Whether the default policy's address parser will be quick: it is quadratic on long
    runs of quotes and parentheses, and recursive on nested comments."""
    total = sum(len(v) for v in values)
    return total <= 4000 and sum(v.count(c) for v in values for c in '"()\\') <= 60


def _addresses(
    msg: Message | None, headers: _Headers, name: str, problems: list[str]
) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; unreadable entries are noted and skipped."""
    raw_values = headers.values(name)
    if not raw_values:
        return []
    label = name.title()
    pairs: list[tuple[str, str]] | None = None
    # The compat32 fallback parse has plain string headers, without .addresses.
    default_policy = msg is not None and getattr(msg, "policy", None) is not policy.compat32
    if default_policy and _simple_enough(raw_values):
        try:
            found = []
            for header in msg.get_all(name) or []:
                for address in header.addresses:
                    found.append((str(address.display_name), str(address.addr_spec)))
            # The default policy turns undecodable names into U+FFFD; our decoder does better.
            if not any(_SURROGATES.search(n) or "\ufffd" in n for n, _ in found):
                pairs = found
        except Exception:
            problems.append(f"malformed header {label}: read it leniently")
    if pairs is None:
        found = _getaddresses([headers.recovered(v, label) for v in raw_values])
        pairs = [(headers.decoded(d, label), a) for d, a in found[: MAX_ADDRESSES + 1]]
    if len(pairs) > MAX_ADDRESSES:
        problems.append(f"more than {MAX_ADDRESSES} addresses in {label}; kept the first")
        pairs = pairs[:MAX_ADDRESSES]

    result = []
    for display, address in pairs:
        clean = _clean_address(address)
        if clean:
            result.append((_one_line(display), clean))
        elif address.strip() or display.strip():
            problems.append(f"unreadable address in {label}: {_one_line(address or display)!r}")
    return result


def _from(msg: Message, headers: _Headers, problems: list[str]) -> tuple[str, str, str]:
    """(name, address, local part as written) of the sender; falls back to Sender.
    The local part is kept even without a domain, for spotting a bare "MAILER-DAEMON"."""
    local = ""
    for raw in headers.values("from")[:1]:
        for _, address in _getaddresses([headers.recovered(raw, "From")[:1000]])[:1]:
            local = address.partition("@")[0].lower()
    pairs = _addresses(msg, headers, "from", problems)
    if len(pairs) > 1:
        problems.append("several addresses in From; used the first")
    if not pairs:
        for fallback in ("sender", "return-path"):
            pairs = _addresses(msg if fallback == "sender" else None, headers, fallback, problems)
            if pairs:
                problems.append(f"no usable From; used {fallback.title()}")
                break
        else:
            problems.append("no usable From address")
            return "", "", local
    name, address = pairs[0]
    return name[:MAX_LINE], address, local or address.partition("@")[0]


def _normalise_id(value: str) -> str | None:
    value = value.strip().strip("<>").strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or len(value) > MAX_ID_LENGTH:
        return None
    if not all(32 < ord(c) < 127 and c not in "<>" for c in value):
        return None
    return f"{local}@{domain.lower()}"


def _id_list(values: list[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        candidates = re.findall(r"<([^<>]*)>", value) or value.split()
        found.extend(i for i in (_normalise_id(c) for c in candidates) if i)
    return _unique(found)


def _generated_id(raw: bytes) -> str:
    return f"missing-{hashlib.sha256(raw).hexdigest()[:32]}@openline.invalid"


def _message_id(headers: _Headers, raw: bytes, problems: list[str]) -> str:
    values = headers.values("message-id")
    if len(values) > 1:
        problems.append("several Message-ID headers; used the first")
    found = _id_list(values[:1])
    if found:
        return found[0]
    generated = _generated_id(raw)
    if values:
        problems.append(f"invalid Message-ID {_one_line(values[0])[:100]!r}; used {generated}")
    else:
        problems.append(f"no Message-ID; used {generated}")
    return generated


def _date(value: str | None, problems: list[str]) -> datetime | None:
    if value is None:
        problems.append("no Date")
        return None
    text = _one_line(value)
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:  # some scripts send ISO 8601
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    # Years outside this range are clock errors, and near the limits break tz arithmetic.
    if parsed is None or not 1900 <= parsed.year <= 2999:
        problems.append(f"invalid Date {text[:100]!r}")
        return None
    if parsed.tzinfo is None:  # "-0000" means "UTC, origin unknown" (RFC 5322 3.3)
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


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


# --------------------------------------------------------------------------- kind

_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|autoreply"
    r"|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau"
    r"|respuesta autom[áa]tica|risposta automatica|automatisch antwoord)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered mail|returned mail|delivery status notification"
    r"|delivery (has )?fail|mail delivery fail|failure notice|could not be delivered"
    r"|unzustellbar|non remis|delivery problem",
    re.IGNORECASE,
)


def _domain_is_ours(domain: str, own_domains: tuple[str, ...]) -> bool:
    domain = domain.lower().strip(".")
    return any(domain == d or domain.endswith("." + d) for d in own_domains)


def _names_us(value: str, own_domains: tuple[str, ...]) -> bool:
    words = re.findall(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", value[:1000].lower())
    return any(_domain_is_ours(w, own_domains) for w in words)


def _first_token(value: str | None) -> str:
    return re.split(r"[;(\s]", (value or "").strip().lower(), maxsplit=1)[0]


def _kind(
    headers: _Headers, body: _Body, *, subject, from_address, from_local, own_domains, loop_header
) -> str:
    auto_submitted = headers.first("auto-submitted")
    is_auto_submitted = auto_submitted is not None and _first_token(auto_submitted) != "no"

    # Our own notifications coming back must never open a conversation.
    if headers.has(loop_header):
        return "loop"
    loop_values = headers.values("x-loop") + headers.values("x-openline-loop")
    if any(_names_us(v, own_domains) for v in loop_values):
        return "loop"

    # Bounces come before the own-domain rule: our MTA's bounces carry our domain too.
    top = body.top
    report_type = top.report_type if top else ""
    if top and top.content_type == "multipart/report" and report_type == "delivery-status":
        return "bounce"
    if from_local in ("mailer-daemon", "postmaster") and _BOUNCE_SUBJECT.search(subject):
        return "bounce"
    has_dsn = bool(
        body.content_types & {"message/delivery-status", "message/global-delivery-status"}
    )
    if (headers.first("return-path") or "").replace(" ", "") == "<>" and has_dsn:
        return "bounce"
    if headers.has("x-failed-recipients"):  # Exim's bounces
        return "bounce"

    real_ids = _id_list(headers.values("message-id")[:1])
    id_domain = real_ids[0].rpartition("@")[2] if real_ids else ""
    from_domain = from_address.rpartition("@")[2]
    ours = _domain_is_ours(id_domain, own_domains) or _domain_is_ours(from_domain, own_domains)
    if ours and is_auto_submitted:
        return "loop"

    precedence = {_first_token(headers.first(n)) for n in ("precedence", "x-precedence")}
    suppress = {
        t.strip().lower() for v in headers.values("x-auto-response-suppress") for t in v.split(",")
    }
    if (
        is_auto_submitted
        or headers.has("x-autoreply")
        or headers.has("x-autorespond")
        or precedence & {"bulk", "junk", "auto_reply"}
        or suppress & {"all", "oof"}
        or report_type == "disposition-notification"  # read receipts
        or _AUTO_SUBJECT.search(subject)
    ):
        return "auto_reply"
    return "customer"


# --------------------------------------------------------------------------- HTML to text

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


# --------------------------------------------------------------------------- quoted history

_ATTRIBUTION_START = re.compile(r"^\s*(on|le|am|el|op|il|em|den)\s", re.IGNORECASE)
_ATTRIBUTIONS = [
    re.compile(pattern, re.IGNORECASE | re.DOTALL)
    for pattern in (
        r"^\s*On\s.{0,300}\swrote\s*:\s*$",
        r"^\s*Le\s.{0,300}\sa\s+[ée]crit\s*:\s*$",
        r"^\s*Am\s.{0,300}\sschrieb\s.{0,200}:\s*$",
        r"^\s*El\s.{0,300}\sescribi[óo]\s*:\s*$",
        r"^\s*Op\s.{0,300}\sschreef\s.{0,200}:\s*$",
        r"^\s*Il\s.{0,300}\sha\s+scritto\s*:\s*$",
        r"^\s*Em\s.{0,300}\sescreveu\s*:\s*$",
        r"^\s*Den\s.{0,300}\sskrev\s.{0,200}:\s*$",
    )
]
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|urspr[üu]ngliche nachricht|message d'origine"
    r"|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(_{10,}|-{10,})\s*$")
_FIELD = r"^\s*\*?\s*({})\s*\*?\s*:"
_FROM_FIELD = re.compile(_FIELD.format("from|von|de|van|da|från|fra"), re.IGNORECASE)
_OTHER_FIELD = re.compile(
    _FIELD.format(
        "sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|envoye|à|objet|enviado"
        "|fecha|para|asunto|verzonden|aan|onderwerp|inviato|data|oggetto|a"
    ),
    re.IGNORECASE,
)
_ONE_LINE_BLOCK = re.compile(r"^\s*\*?from\s*:.*\b(sent|date)\s*:.*\bto\s*:.*\bsubject\s*:", re.I)
_FOOTER = re.compile(
    r"^\s*(sent from my \S.{0,40}|sent from (mail|outlook|yahoo mail|proton ?mail) .{0,40}"
    r"|sent from (outlook|yahoo mail|proton ?mail)|get outlook for (ios|android).{0,60}"
    r"|sent with proton ?mail.{0,40}|von meinem \S.{0,30} gesendet|gesendet von meinem .{1,30}"
    r"|envoy[ée] de mon .{1,30}|enviado desde mi .{1,30}|inviato da .{1,30}"
    r"|verzonden (vanaf|met) mijn .{1,30})\s*$",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_at(lines: list[str], i: int) -> int:
    """Lines taken by an "On <date>, <name> wrote:" starting at line i (0 if none);
    mail clients wrap long attributions over two or three lines."""
    if _is_quoted(lines[i]) or not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        chunk = lines[i : i + span]
        # A continuation may start with ">" when the wrap fell just before "> wrote:".
        if len(chunk) < span or not chunk[-1].strip():
            return 0
        joined = " ".join(s.strip() for s in chunk)
        if len(joined) <= 1000 and any(p.match(joined) for p in _ATTRIBUTIONS):
            return span
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook-style "From: / Sent: / To: / Subject:" block starting at line i."""
    line = lines[i]
    if _is_quoted(line):
        return False
    if len(line) <= 1000 and _ONE_LINE_BLOCK.match(line):
        return True
    if not _FROM_FIELD.match(line):
        return False
    following = [s for s in lines[i + 1 : i + 8] if s.strip()][:5]
    return sum(1 for s in following if _OTHER_FIELD.match(s)) >= 2


def _history_start(lines: list[str]) -> int | None:
    """Where the trailing reply history begins, or None."""
    for i in range(len(lines)):
        cut = None
        span = _attribution_at(lines, i)
        if span:
            after = [s for s in lines[i + span :] if s.strip()]
            quoted = sum(1 for s in after if _is_quoted(s))
            if 0 < quoted < len(after):
                return None  # quotes interleaved with answers: an inline reply, keep it
            cut = i
        elif _ORIGINAL_MESSAGE.match(lines[i]):
            cut = i
        elif _header_block_at(lines, i):
            cut = i
            before = [j for j in range(i) if lines[j].strip()]
            if before and _SEPARATOR.match(lines[before[-1]]):
                cut = before[-1]
        if cut is not None:
            return cut if any(s.strip() for s in lines[:cut]) else None
    return None


def _trim_trailing(lines: list[str]) -> list[str]:
    """Drop trailing quoted lines, attributions and mobile footers, then one signature,
    then anything of the first kind the signature was hiding."""
    _trim_quotes_and_footers(lines)
    if _cut_signature(lines):
        _trim_quotes_and_footers(lines)
    return lines


def _trim_quotes_and_footers(lines: list[str]) -> None:
    while lines:
        last = lines[-1]
        if not last.strip() or _is_quoted(last) or (len(last) <= 80 and _FOOTER.match(last)):
            lines.pop()
            continue
        for j in range(max(0, len(lines) - 3), len(lines)):
            span = _attribution_at(lines, j)
            if span and j + span == len(lines):
                del lines[j:]
                break
        else:
            return


def _cut_signature(lines: list[str]) -> bool:
    for i in range(len(lines) - 1, 0, -1):
        delimiter = lines[i]
        if delimiter == "-- " or (delimiter.rstrip() == "--" and len(lines) - i <= 12):
            if any(s.strip() for s in lines[:i]):
                del lines[i:]
                return True
            return False
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: without the quoted history, signature and mobile footer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = _history_start(lines)
    if start is not None:
        lines = lines[:start]
    result = "\n".join(_trim_trailing(lines)).strip()
    return result or text.strip()
