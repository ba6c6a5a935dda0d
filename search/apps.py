from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        post_migrate.connect(restore_triggers, sender=self)


def restore_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs) -> list[str]:
    """Put back index triggers a migration dropped, and rebuild the index.

    On SQLite, Django changes a column by copying the table into a new one and dropping the
    old, and triggers go with the old table: after any migration of conversations or
    messages, the search index would silently stop following them. Runs after every
    `migrate`; returns the names of the triggers it put back."""
    from search import schema

    connection = connections[using]
    if connection.vendor != "sqlite":
        return []  # PostgreSQL keeps triggers through ALTER TABLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' OR name = %s",
            [schema.SQLITE_TABLE],
        )
        present = {name for (name,) in cursor.fetchall()}
        if schema.SQLITE_TABLE not in present:
            return []  # the search migration has not run (or was undone)
        missing = [name for name in schema.SQLITE_TRIGGERS if name not in present]
        if missing:
            for name in missing:
                cursor.execute(schema.SQLITE_TRIGGERS[name])
            for sql in schema.SQLITE_REBUILD:
                cursor.execute(sql)
    return missing
