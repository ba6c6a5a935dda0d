"""Many rows into one table in one statement, returning their ids: the ingest pipeline's writer.

Django's `bulk_create` builds a model instance per row and prepares every value through its
field (about 10 µs a value), which made storing a mention cost milliseconds. Here each column
gets its converter once per model, values go in as plain tuples, and one multi-row
`INSERT … RETURNING id` per batch stores them (SQLite 3.35+ and PostgreSQL both return the ids
in the order of the rows, as `bulk_create` itself relies on). Unique constraints still apply:
a duplicate raises IntegrityError like any insert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from functools import cache

from django.db import connection, models

MAX_PARAMS = 30_000  # under SQLite's 32,766 bound variables per statement


@cache
def _columns(model: type[models.Model]) -> list[tuple[str, str, Callable, object]]:
    """(attribute, column, converter, default) for every column but the primary key."""
    ops = connection.ops
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":

            def convert(value):
                # What the SQLite backend stores: naive UTC text (adapt_datetimefield_value).
                if value is None:
                    return None
                return str(value.astimezone(UTC).replace(tzinfo=None))

        elif isinstance(field, models.DateTimeField):

            def convert(value, ops=ops):
                return None if value is None else ops.adapt_datetimefield_value(value)

        elif isinstance(field, models.JSONField):

            def convert(value, field=field):
                return field.get_db_prep_save(value, connection)

        else:

            def convert(value):
                return value

        if field.has_default():
            default = field.default  # a callable (timezone.now, dict) is called per row
        elif not field.null and isinstance(field, models.CharField | models.TextField):
            default = ""
        else:
            default = None
        out.append((field.attname, field.column, convert, default))
    return out


def insert(model: type[models.Model], rows: Sequence[dict]) -> list[int]:
    """Insert `rows` (attribute name → value; missing ones take the field's default)."""
    if not rows:
        return []
    columns = _columns(model)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for _, column, _, _ in columns)
    per_row = len(columns)
    batch = max(1, MAX_PARAMS // per_row)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list = []
            for row in chunk:
                for attname, _column, convert, default in columns:
                    value = row.get(attname, default)
                    if callable(value):
                        value = value()
                    params.append(convert(value))
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {placeholders} RETURNING id",  # noqa: S608
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids
