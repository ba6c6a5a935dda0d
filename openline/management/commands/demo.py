"""`openline demo`: load Larder & Ladle, the demo company, into this database.

Safe to run again: once the demo's logins exist, it says so and changes nothing.
"""

from __future__ import annotations

import time

from django.core.management import BaseCommand

from openline.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo company: staff, posts, known issues and a busy comment queue."

    def handle(self, *args, verbosity: int = 1, **options):
        started = time.monotonic()
        counts = load_demo(stdout=self.stdout if verbosity > 0 else None)
        if verbosity > 1 and not counts.get("already_loaded"):
            self.stdout.write(f"Took {time.monotonic() - started:.1f} s.")
