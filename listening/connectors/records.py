"""Records: the one format for posts that are pushed to Openline or imported from a file.

A record is a flat object (a JSON object, or a CSV row under a header):

    id / external_id, url, title, text or html, author / author_name, author_handle,
    author_url, published_at, lang / language, network, and anything else (kept in `extra`)

`item_from_record` turns one into an Item or raises RecordError naming the field;
`items_from_payload` reads a webhook body; `read_file` streams a CSV, JSON Lines or JSON array
file. The small parsers at the top (dates, languages, URLs, config fields) are shared by
the other connectors.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO
from urllib.parse import urlsplit

from analysis.batch import InputError, detect_format
from listening.items import Item, RecordError

MAX_ID_LENGTH = 500  # Mention.external_id
MAX_URL_LENGTH = 1000  # Mention.url
MAX_EXTRA_KEYS = 30
MAX_EXTRA_VALUE = 2048  # characters of JSON: anything longer is dropped, not truncated
NETWORK = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")
FIELDS = {
    "external_id": ("id", "external_id"),
    "url": ("url",),
    "title": ("title",),
    "text": ("text",),
    "html": ("html",),
    "author_name": ("author", "author_name"),
    "author_handle": ("author_handle",),
    "author_url": ("author_url",),
    "published_at": ("published_at",),
    "language": ("lang", "language"),
    "network": ("network",),
}
IDS = ("id", "external_id")  # the fields where a number is taken as text
KNOWN_KEYS = frozenset(itertools.chain.from_iterable(FIELDS.values()))


# Shared parsers ---------------------------------------------------------------------------


def check_fields(config, *, required: Iterable[str] = (), optional: Iterable[str] = ()) -> dict:
    """The config's fields, as text with blanks dropped. ValueError for a missing required
    field, a value that is not text, or a field nobody reads (most likely a typo)."""
    if not isinstance(config, dict):
        raise ValueError("the configuration must be an object of fields")
    required, optional = tuple(required), tuple(optional)
    unknown = sorted(set(config) - set(required) - set(optional))
    if unknown:
        expected = ", ".join(repr(name) for name in (*required, *optional))
        raise ValueError(f"unknown field {unknown[0]!r} (expected {expected})")
    values = {}
    for name, value in config.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"{name!r} must be text")
        if value.strip():
            values[name] = value.strip()
    for name in required:
        if name not in values:
            raise ValueError(f"{name!r} is required")
    return values


def http_url(value: str, field: str) -> str:
    """An absolute http(s) URL, or ValueError naming the field."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError(f"{field!r} is not a valid URL: {value!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{field!r} must be an http(s) URL: {value!r}")
    return value


def server_url(value: str, field: str) -> str:
    """A server's base address: "mastodon.social" → "https://mastodon.social"."""
    value = value.strip().rstrip("/")
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(http_url(value, field))
    if parts.path or parts.query or parts.fragment:
        raise ValueError(
            f"{field!r} must be the server's address only, like https://{parts.netloc}"
        )
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime; naive means UTC."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def language_code(value) -> str:
    """The primary subtag of a language tag ("en-GB" → "en"), or "" if it is not one."""
    if not isinstance(value, str):
        return ""
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


# One record -------------------------------------------------------------------------------


def item_from_record(record: dict, *, default_network: str = "") -> Item:
    if not isinstance(record, dict):
        raise RecordError("the record is not an object")
    values = {field: _text(record, names) for field, names in FIELDS.items()}
    text, html = values.pop("text"), values.pop("html")
    if not text and not html:
        raise RecordError("'text' is missing (give 'text' or 'html')")
    for field in ("url", "author_url"):
        if values[field]:
            try:
                http_url(values[field], field)
            except ValueError as exc:
                raise RecordError(str(exc)) from None
    if len(values["url"]) > MAX_URL_LENGTH:
        raise RecordError(f"'url' is longer than {MAX_URL_LENGTH} characters")
    if len(values["external_id"]) > MAX_ID_LENGTH:
        raise RecordError(f"'id' is longer than {MAX_ID_LENGTH} characters")
    published_at = None
    if values["published_at"]:
        try:
            published_at = parse_datetime(values["published_at"])
        except ValueError:
            raise RecordError(
                f"'published_at' is not an ISO 8601 date: {values['published_at']!r}"
            ) from None
    language = language_code(values["language"]) if values["language"] else ""
    if values["language"] and not language:
        raise RecordError(f"'lang' is not a language code like en or pt-BR: {values['language']!r}")
    network = values["network"].lower() or default_network
    if network and not NETWORK.fullmatch(network):
        raise RecordError(f"'network' must be a short name like mastodon: {values['network']!r}")
    body = text or html
    external_id = values["external_id"] or values["url"]
    if not external_id:
        who = values["author_handle"] or values["author_name"]
        external_id = "sha256:" + hashlib.sha256(f"{who}\n{body}".encode()).hexdigest()
    return Item(
        external_id=external_id,
        url=values["url"],
        title=values["title"],
        body=body,
        body_is_html=not text,
        author_name=values["author_name"],
        author_handle=values["author_handle"],
        author_url=values["author_url"],
        published_at=published_at,
        language=language,
        network=network,
        extra=_extra(record),
    )


def _text(record: dict, names: tuple[str, ...]) -> str:
    """The first of the names given a value; numbers are accepted as text for ids."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str):
            if value := value.strip():
                return value
        elif isinstance(value, int | float) and not isinstance(value, bool) and name in IDS:
            return str(value)
        elif value is not None:
            raise RecordError(f"{name!r} must be text, not {type(value).__name__}")
    return ""


def _extra(record: dict) -> dict:
    extra = {}
    for key, value in record.items():
        if key in KNOWN_KEYS or value is None or value == "" or not isinstance(key, str):
            continue
        try:
            size = len(json.dumps(value, ensure_ascii=False, allow_nan=False))
        except (TypeError, ValueError):
            continue  # not JSON: a Python object from a caller that built the dict itself
        if size <= MAX_EXTRA_VALUE:
            extra[key] = value
            if len(extra) == MAX_EXTRA_KEYS:
                break
    return extra


def check_config(config: dict) -> dict:
    """Webhook and import sources: an optional default "network" for their records; other
    fields (the lead's) are passed through."""
    if not isinstance(config, dict):
        raise ValueError("the configuration must be an object of fields")
    config = dict(config)
    network = config.get("network")
    if network is not None:
        if not isinstance(network, str) or (
            network.strip() and not NETWORK.fullmatch(network.strip().lower())
        ):
            raise ValueError("'network' must be a short name like reddit")
        config["network"] = network.strip().lower()
    return config


# Webhook bodies ---------------------------------------------------------------------------


def items_from_payload(payload, *, default_network: str = "") -> list[Item | RecordError]:
    """A webhook body: one record, a list of records, or {"items": [records]}. A body of any
    other shape raises RecordError; a bad record in a list becomes a RecordError in its place,
    naming the field only (the caller numbers them). The caller limits how many it accepts."""
    if isinstance(payload, dict) and "items" in payload:
        records = payload["items"]
        if not isinstance(records, list):
            raise RecordError("'items' must be a list of objects")
    elif isinstance(payload, dict):
        records = [payload]
    elif isinstance(payload, list):
        records = payload
    else:
        raise RecordError('the body must be an object, a list of objects or {"items": [...]}')
    entries: list[Item | RecordError] = []
    for record in records:
        try:
            entries.append(item_from_record(record, default_network=default_network))
        except RecordError as exc:
            entries.append(exc)
    return entries


# Files ------------------------------------------------------------------------------------


def read_file(
    source: str | os.PathLike | IO[bytes], name: str, *, default_network: str = ""
) -> Iterator[tuple[int, Item | RecordError]]:
    """(line number, Item or RecordError) for each record of a CSV, JSON Lines or JSON array
    file, read as a stream. Raises InputError at once (before any record) when the file is
    not UTF-8 or a CSV file has neither a 'text' nor an 'html' column.

    A path is opened and closed here; an open file is read from where it is and left open.
    CSV: a header row; the delimiter (comma, semicolon or tab) is the one in the header.
    JSON Lines: one object per line; a line that is not one is a RecordError for that line
    and reading goes on. A file starting with "[" is one JSON array (read into memory).
    """
    owned = isinstance(source, str | os.PathLike)
    binary = open(source, "rb") if owned else source  # noqa: SIM115 (closed by _records)
    try:
        if not binary.seekable():
            binary = io.BytesIO(binary.read())
        start = binary.tell()
        head = _check_utf8(binary, name)
        binary.seek(start)
        lines = _lines(binary)
        if detect_format(name, head) == "csv":
            records = _csv_records(lines, name)
        elif head.lstrip().startswith("["):
            records = _array_records(lines)
        else:
            records = _json_lines(lines)
    except BaseException:
        if owned:
            binary.close()
        raise
    return _items(records, binary if owned else None, default_network)


def _items(records, owned: IO[bytes] | None, default_network: str):
    try:
        for number, record in records:
            if isinstance(record, RecordError):
                yield number, record
                continue
            try:
                yield number, item_from_record(record, default_network=default_network)
            except RecordError as exc:
                yield number, exc
    finally:
        if owned is not None:
            owned.close()


def _check_utf8(binary: IO[bytes], name: str) -> str:
    """Read the whole file once, line by line, so an encoding error is found before any
    record is stored. Returns the start of the text for format detection."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    head = ""
    for number, line in enumerate(binary, start=1):
        try:
            text = decoder.decode(line)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name} is not UTF-8: byte 0x{line[exc.start]:02x} on line {number} cannot be"
                " decoded. Save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`) and try again."
            ) from None
        if len(head) < 4096:
            head += text
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8: it ends in the middle of a character") from None
    return head


def _lines(binary: IO[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for line in binary:
        yield decoder.decode(line)


def _csv_records(lines: Iterator[str], name: str):
    first = next(lines, "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header = [column.strip() for column in next(reader, [])]
    if "text" not in header and "html" not in header:
        found = ", ".join(repr(column) for column in header if column) or "none"
        raise InputError(f"{name} has no 'text' or 'html' column (columns found: {found})")
    return _csv_rows(reader, header)


def _csv_rows(reader, header: list[str]):
    line = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            yield line, {key: cell for key, cell in zip(header, row, strict=False) if key}
        line = reader.line_num + 1


def _json_lines(lines: Iterator[str]):
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RecordError(f"line {number} is not valid JSON: {exc.msg}")
            continue
        if not isinstance(record, dict):
            yield number, RecordError(f"line {number} is not a JSON object")
            continue
        yield number, record


def _array_records(lines: Iterator[str]):
    try:
        records = json.loads("".join(lines))
    except json.JSONDecodeError as exc:
        yield exc.lineno, RecordError(f"line {exc.lineno} is not valid JSON: {exc.msg}")
        return
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield number, RecordError(f"record {number} is not a JSON object")
        else:
            yield number, record
