"""Reading and writing files of messages for `openline analyze`."""

from __future__ import annotations

import io
import json

import pytest

from analysis import batch


def run(raw: bytes, name="in.csv", column="text", fmt=None):
    text = batch.decode(io.BytesIO(raw), name)
    head = text.read(200)
    text.seek(0)
    fmt = fmt or batch.detect_format(name, head)
    columns, rows, dialect = batch.read_rows(text, fmt, column)
    out = io.StringIO()
    count = batch.write_rows(out, fmt, columns, batch.analyse_rows(rows, column), dialect)
    return count, out.getvalue()


def test_csv_rows_come_back_with_results_added():
    count, out = run(b'id,text\n1,"great, another delay"\n2,How do I reset my password?\n')
    assert count == 2
    lines = out.splitlines()
    assert lines[0] == "id,text,sentiment,sentiment_score,intent,topic"
    assert lines[1].startswith('1,"great, another delay",negative,-')
    assert ",question," in lines[2]


def test_semicolon_csv_and_a_byte_order_mark():
    count, out = run("\ufeffid;body\n1;I love it\n".encode(), column="body")
    assert count == 1
    assert out.splitlines()[0].startswith("id;body;sentiment")
    assert ";positive;" in out


def test_jsonl_keeps_every_key_and_value_type():
    raw = b'{"id": 7, "text": "my parcel is lost", "meta": {"a": [1]}}\n\n'
    count, out = run(raw, name="mentions.jsonl")
    row = json.loads(out)
    assert count == 1
    assert row["id"] == 7 and row["meta"] == {"a": [1]}
    assert row["sentiment"] == "negative" and row["intent"] == "complaint"
    assert row["topic"]


def test_format_is_guessed_from_content_without_a_name():
    assert batch.detect_format("", '{"text": "x"}') == "jsonl"
    assert batch.detect_format("", "text\nx") == "csv"


def test_missing_column_names_the_columns_found():
    with pytest.raises(batch.InputError, match=r"no column named 'text' \(columns found: 'id', 'b"):
        run(b"id,body\n1,x\n")
    with pytest.raises(batch.InputError, match="no column named 'text'"):
        run(b'{"body": "x"}\n', name="a.jsonl")


def test_bad_encoding_names_the_byte_and_line():
    with pytest.raises(batch.InputError, match=r"not UTF-8: byte 0xe9 on line 2"):
        run(b"text\ncaf\xe9\n")


def test_broken_json_line_is_reported_with_its_number():
    with pytest.raises(batch.InputError, match="line 2 is not valid JSON"):
        run(b'{"text": "a"}\n{"text": \n', name="a.jsonl")
    with pytest.raises(batch.InputError, match="line 1 is not a JSON object"):
        run(b"[1, 2]\n", name="a.jsonl")


def test_missing_or_empty_text_gets_neutral_other_and_no_topic():
    _count, out = run(b'{"text": null}\n{"text": ""}\n', name="a.jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["sentiment"], r["intent"], r["topic"]) for r in rows] == [
        ("neutral", "other", "")
    ] * 2


def test_empty_jsonl_writes_nothing():
    assert run(b"", name="a.jsonl") == (0, "")
