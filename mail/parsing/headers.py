"""Header values: addresses, Message-IDs and the Date, read without trusting the sender."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from .limits import MAX_ADDRESSES, MAX_ID_LENGTH, MAX_LINE
from .text import _SURROGATES, _decode_words, _one_line, _recover_8bit, _unique


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
