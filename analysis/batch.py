"""Analysing a file of messages: CSV or JSON Lines in, the same rows with results out.

Used by ``openline analyze``. Rows stream through one at a time, so a file of any size fits in
memory; topics are built incrementally over the file as it is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO

from . import analyse
from .sentiment import DEFAULT_MODEL
from .topics import TopicModel

ADDED_COLUMNS = ("sentiment", "sentiment_score", "intent", "topic")


class InputError(ValueError):
    """The input cannot be read as asked; the message says where and why."""


def detect_format(name: str, head: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def decode(raw: IO[bytes], name: str) -> io.StringIO:
    """The whole input as text, or an InputError that names the first undecodable byte."""
    data = raw.read()
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name} is not UTF-8: byte 0x{data[exc.start]:02x} on line {line} cannot be decoded."
            " Convert the file to UTF-8 first, e.g. `iconv -f latin1 -t utf-8`."
        ) from None


def read_rows(text: IO[str], fmt: str, text_column: str):
    """(column names, rows, CSV dialect). Raises InputError when the text column is missing.

    The dialect (comma, semicolon or tab) is sniffed so the output is written the same way.
    """
    if fmt == "csv":
        sample = text.read(64 * 1024)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(text, dialect=dialect)
        columns = list(reader.fieldnames or [])
        _check_column(columns, text_column)
        return columns, iter(reader), dialect
    rows = _json_lines(text)
    first = next(rows, None)
    if first is None:
        return [text_column], iter(()), csv.excel
    columns = list(first)
    _check_column(columns, text_column)

    def chained():
        yield first
        yield from rows

    return columns, chained(), csv.excel


def _json_lines(text: IO[str]) -> Iterator[dict]:
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number} is not valid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise InputError(f"line {number} is not a JSON object")
        yield row


def _check_column(columns: list[str], text_column: str) -> None:
    if text_column not in columns:
        found = ", ".join(repr(c) for c in columns) or "none"
        raise InputError(
            f"no column named {text_column!r} (columns found: {found});"
            " choose one with --text-column"
        )


def analyse_rows(
    rows: Iterable[dict], text_column: str, model: str = DEFAULT_MODEL
) -> Iterator[dict]:
    """Each row with sentiment, sentiment_score, intent and topic added."""
    topic_model = TopicModel()
    for row in rows:
        text = row.get(text_column)
        text = "" if text is None else str(text)
        result = analyse(text, model)
        row = dict(row)
        row["sentiment"] = result.sentiment
        row["sentiment_score"] = result.sentiment_score
        row["intent"] = result.intent
        row["topic"] = topic_model.assign(text).name if text.strip() else ""
        yield row


def write_rows(
    out: IO[str], fmt: str, columns: list[str], rows: Iterable[dict], dialect=csv.excel
) -> int:
    count = 0
    if fmt == "csv":
        names = columns + [c for c in ADDED_COLUMNS if c not in columns]
        writer = csv.DictWriter(
            out,
            fieldnames=names,
            extrasaction="ignore",
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar or '"',
            lineterminator="\n",
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
