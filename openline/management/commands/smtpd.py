"""`openline smtpd`: receive customer e-mail over SMTP until stopped."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management import BaseCommand

from mail.smtpd import controller


class Command(BaseCommand):
    help = "Run the built-in SMTP listener that takes customer e-mail into the inbox."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SMTPD_HOST)
        parser.add_argument("--port", type=int, default=settings.SMTPD_PORT)

    def handle(self, *args, host, port, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server = controller(host, port)
        server.start()
        self.stdout.write(
            f"Receiving e-mail for {settings.SUPPORT_EMAIL} (and +tokens) on {host}:{port}",
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()
            self.stdout.write("SMTP listener stopped.")
