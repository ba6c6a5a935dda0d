"""`openline imap_poll`: fetch new mail from the IMAP mailbox once; the worker polls too."""

from __future__ import annotations

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from mail import services
from mail.imap import ImapError


class Command(BaseCommand):
    help = "Fetch new customer e-mail from the mailbox in OPENLINE_IMAP_URL, once."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.IMAP_URL, help="default: OPENLINE_IMAP_URL")

    def handle(self, *args, url, **options):
        if not url:
            raise CommandError("No mailbox: set OPENLINE_IMAP_URL or pass --url.")
        try:
            count = services.poll_mailbox(url)
        except ImapError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Fetched {count} new message{'s' if count != 1 else ''}.")
