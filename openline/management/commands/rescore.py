"""`openline rescore`: score again every message the current analysis models have not scored."""

from __future__ import annotations

import time

from django.core.management import BaseCommand

import analysis
from conversations import scoring


class Command(BaseCommand):
    help = (
        "Score sentiment, intent and topic for every message that the current models have not "
        "scored yet, in batches. Safe to stop and run again: it continues where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--all", action="store_true", help="score every message again, even up-to-date ones"
        )
        parser.add_argument(
            "--refit-topics",
            action="store_true",
            help="afterwards, cluster the topics afresh from the latest customer messages",
        )

    def handle(self, *args, batch_size, all, refit_topics, verbosity=1, **options):
        started = time.monotonic()
        done = 0
        self.stdout.write(f"Scoring with {analysis.version()}")
        for progress in scoring.rescore(batch_size=max(batch_size, 1), everything=all):
            done = progress.done
            if verbosity > 0:
                self.stdout.write(f"  {progress.done} scored, {progress.remaining} to go")
        self.stdout.write(f"Scored {done} messages in {time.monotonic() - started:.1f} s.")
        if refit_topics:
            count = scoring.refit_topics()
            self.stdout.write(f"Clustered the customer messages into {count} topics.")
