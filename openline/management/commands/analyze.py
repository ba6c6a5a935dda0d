"""`openline analyze FILE`: sentiment, intent and topic for every row of a CSV or JSONL file."""

from __future__ import annotations

import sys

from django.core.management import BaseCommand, CommandError

import analysis
from analysis import batch


class Command(BaseCommand):
    help = (
        "Read a CSV or JSON Lines file ('-' for standard input) and write the same rows with "
        "sentiment, sentiment_score, intent and topic added."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or JSONL file, or - for standard input")
        parser.add_argument("--text-column", default="text", help="column holding the text")
        parser.add_argument("--output", "-o", help="write here instead of standard output")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="default: from the name")
        parser.add_argument(
            "--model",
            choices=analysis.MODELS,
            default=analysis.DEFAULT_MODEL,
            help="sentiment tier (default: %(default)s)",
        )

    def handle(self, *args, file, text_column, output, format, model, **options):
        name = "standard input" if file == "-" else file
        try:
            if file == "-":
                text = batch.decode(sys.stdin.buffer, name)
            else:
                with open(file, "rb") as raw:
                    text = batch.decode(raw, name)
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from None
        except batch.InputError as exc:
            raise CommandError(str(exc)) from None
        head = text.read(200)
        text.seek(0)
        fmt = format or batch.detect_format("" if file == "-" else file, head)
        try:
            columns, rows, dialect = batch.read_rows(text, fmt, text_column)
            results = batch.analyse_rows(self._progress(rows), text_column, model)
            if output:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = batch.write_rows(out, fmt, columns, results, dialect)
            else:
                count = batch.write_rows(self.stdout, fmt, columns, results, dialect)
        except batch.InputError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        if output:
            self.stderr.write(f"Analysed {count} rows into {output}.")

    def _progress(self, rows):
        """A progress bar on a terminal; nothing when the output is piped or logged."""
        if not sys.stderr.isatty():
            return rows
        from tqdm import tqdm

        return tqdm(rows, unit=" rows", file=sys.stderr)
