"""The search index and the triggers that keep it current (search/schema.py).

SQLite gets an FTS5 table, PostgreSQL a table with a GIN-indexed tsvector; each is filled
with the conversations that already exist.
"""

from django.db import migrations

from search import schema


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [*schema.SQLITE_REBUILD, *schema.SQLITE_TRIGGERS.values()]
    elif vendor == "postgresql":
        statements = [*schema.PG_CREATE, *schema.PG_REBUILD]
    else:
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": schema.SQLITE_DROP, "postgresql": schema.PG_DROP}.get(vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0008_community_moderation"),
        ("community", "0002_default_idea_statuses"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
