"""`openline run`: everything one machine needs, in one command.

Migrates, loads the demo company on the first run of an empty database, collects
static files, then starts gunicorn and the Huey consumer and stays in the foreground
until interrupted; if either process dies, the other is stopped too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import BaseCommand, call_command

from conversations.models import Conversation


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Migrate, load demo data on first run, and serve Openline with its worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-demo", action="store_true", help="Never load the demo company")
        parser.add_argument(
            "--no-smtpd", action="store_true", help="Do not start the SMTP listener for e-mail"
        )

    def handle(self, *args, host, port, workers, no_demo, no_smtpd, **options):
        call_command("migrate", interactive=False, verbosity=0)
        fresh = not Conversation.objects.exists()
        if fresh and not no_demo:
            self.stdout.write("First run: loading the demo company …")
            call_command("demo", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "openline.settings"),
        }
        bin_dir = os.path.dirname(sys.executable)
        web = subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "openline.wsgi:application",
                "--config", "python:openline.gunicorn_conf",
                "--bind", f"{host}:{port}",
                "--workers", str(workers),
            ],
            env=env,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "-m", "openline.cli", "run_huey", "--quiet"], env=env
        )
        processes = [web, worker]
        if not no_smtpd and not _port_free(settings.SMTPD_HOST, settings.SMTPD_PORT):
            self.stdout.write(
                self.style.WARNING(
                    f"Port {settings.SMTPD_PORT} is in use: not receiving e-mail over SMTP "
                    "(set OPENLINE_SMTPD_PORT to another port)."
                )
            )
            no_smtpd = True
        if not no_smtpd:
            processes.append(
                subprocess.Popen([sys.executable, "-m", "openline.cli", "smtpd"], env=env)
            )
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nOpenline is running at {url}"))
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        if not no_smtpd:
            self.stdout.write(
                f"E-mail to {settings.SUPPORT_EMAIL} is received over SMTP on "
                f"{settings.SMTPD_HOST}:{settings.SMTPD_PORT}"
            )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"Outgoing e-mail is written to {settings.EMAIL_FILE_PATH}")
        from openline.demo import DEMO_LOGINS, DEMO_PASSWORD

        if not no_demo:
            self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
            for email, what in DEMO_LOGINS:
                self.stdout.write(f"  {email:32} {what}")
        self.stdout.write("Press Ctrl+C to stop.\n")
        self._supervise(*processes)

    def _supervise(self, *processes):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
        for p in processes:
            if p.poll() is None:
                p.terminate()
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(f"a process stopped unexpectedly (exit {failed[0].returncode})")
