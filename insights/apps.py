from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate


class InsightsConfig(AppConfig):
    name = "insights"

    def ready(self) -> None:
        post_migrate.connect(restore_triggers, sender=self)


def restore_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs) -> list[str]:
    """Put back the change-marking triggers a migration dropped (SQLite rebuilds a table to
    alter it, and its triggers go with the old table), and mark everything for a refresh,
    since changes made meanwhile went unmarked. Runs after every `migrate`."""
    from insights import schema

    connection = connections[using]
    if connection.vendor != "sqlite":
        return []  # PostgreSQL keeps triggers through ALTER TABLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'insights_dirtyhour'"
        )
        if cursor.fetchone() is None:
            return []  # the insights migrations have not run (or were undone)
        missing = [name for name in schema.SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(schema.SQLITE_TRIGGERS[name])
        if missing:
            cursor.execute(schema.MARK_ALL)
    return missing
