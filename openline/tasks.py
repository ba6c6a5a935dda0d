"""Queueing background jobs.

Jobs take ids, not objects, and are queued only once the transaction that made the
change commits, so a worker never sees a row that is not there yet. Arguments go
through a JSON round trip even when jobs run inline (tests), so a payload that would
not serialise fails in tests too.
"""

from __future__ import annotations

import json

from django.db import transaction


def enqueue(task, *args) -> None:
    payload = json.loads(json.dumps(list(args)))
    transaction.on_commit(lambda: task(*payload))
