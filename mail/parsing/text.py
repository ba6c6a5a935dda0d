"""Bytes and header text into safe Python strings: charsets, RFC 2047 encoded words,
8-bit header bytes, and the clean-ups applied to everything we keep."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterable

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


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
