"""`openline rollups`: bring the dashboard's daily rollups up to date now."""

from __future__ import annotations

import time

from django.core.management import BaseCommand

from insights import rollups


class Command(BaseCommand):
    help = (
        "Recompute the days whose messages, cases or ratings changed since the last refresh "
        "(the worker does this every minute); with --rebuild, recompute every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="recompute every day from the first message"
        )

    def handle(self, *args, rebuild: bool = False, **options):
        started = time.monotonic()
        if rebuild:
            count = rollups.rebuild()
        else:
            count = 0
            while rollups.pending():
                count += len(rollups.refresh_pending())
        took = time.monotonic() - started
        self.stdout.write(f"Recomputed {count} day{'' if count == 1 else 's'} in {took:.1f} s.")
