"""`openline ingest FILE`: mentions from a CSV or JSON Lines file, through the whole pipeline."""

from __future__ import annotations

import time

from django.core.management import BaseCommand, CommandError

from listening import pipeline
from listening.connectors import records
from listening.items import Item, RecordError
from listening.models import Source, SourceKind

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Store the mentions in a CSV or JSON Lines file (one record per row; see "
        "docs/listening-sources.md). Safe to run again: mentions already stored are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .jsonl file")
        parser.add_argument(
            "--source",
            default="File imports",
            help="name of the source to file them under (created as an import source if new; "
            "default: %(default)s)",
        )
        parser.add_argument(
            "--batch", type=int, default=pipeline.CHUNK, help="mentions per transaction"
        )

    def handle(self, *args, file, source, batch, verbosity=1, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        target, _ = Source.objects.get_or_create(
            name=source, defaults={"kind": SourceKind.IMPORT, "keep_all": True}
        )
        started = time.perf_counter()
        total = pipeline.Result()
        chunk: list[Item] = []
        try:
            with open(file, "rb") as raw:
                for line, entry in records.read_file(raw, file):
                    if isinstance(entry, RecordError):
                        total.received += 1
                        total.errors.append(f"line {line}: {entry}")
                        continue
                    chunk.append(entry)
                    if len(chunk) >= batch:
                        total.add(pipeline.ingest(chunk, source=target))
                        chunk = []
                        if verbosity > 1:
                            self.stdout.write(f"… {total.summary()}")
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror or exc}") from None
        except (RecordError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if chunk:
            total.add(pipeline.ingest(chunk, source=target))
        bad = total.errors
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{file}: {total.summary()} in {elapsed:.1f} s.")
        for message in bad[:SHOWN_ERRORS]:
            self.stderr.write(f"  {message}")
        if len(bad) > SHOWN_ERRORS:
            self.stderr.write(f"  … and {len(bad) - SHOWN_ERRORS} more.")
