"""The triggers that mark changed hours for the rollups (insights/schema.py), and a mark on
every hour that already has messages, so the first refresh counts them."""

from django.db import migrations

from insights import schema


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [*schema.SQLITE_TRIGGERS.values(), schema.MARK_ALL]
    elif vendor == "postgresql":
        statements = [*schema.PG_CREATE, schema.PG_MARK_ALL]
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
        ("insights", "0001_initial"),
        ("conversations", "0008_community_moderation"),
        ("community", "0002_default_idea_statuses"),
        ("satisfaction", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
