"""`openline run` on an empty data folder: migrates, loads the demo company, serves it
with gunicorn and the Huey consumer, prints the URL and logins, and stops cleanly."""

import os
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_serves_the_demo_company_and_receives_mail(tmp_path):
    port, smtp_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        OPENLINE_DATA_DIR=str(tmp_path),
        OPENLINE_SMTPD_PORT=str(smtp_port),
        OPENLINE_SUPPORT_EMAIL="help@larder.test",
        DJANGO_SETTINGS_MODULE="openline.settings",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "openline.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        text = "".join(output)
        assert f"Openline is running at http://127.0.0.1:{port}/" in text, text
        assert "maria@demo.openline.test" in text and "password: openline-demo" in text
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body is not None and "Known issues we are working on" in body
        assert (tmp_path / "openline.sqlite3").exists()
        assert (tmp_path / "huey.sqlite3").exists()  # the consumer opened its queue

        # A customer's e-mail reaches the listener and the worker makes it a message.
        assert f"help@larder.test is received over SMTP on 127.0.0.1:{smtp_port}" in text
        sent = False
        while time.monotonic() < deadline and not sent:
            try:
                with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as smtp:
                    smtp.sendmail(
                        "ada@example.org",
                        ["help@larder.test"],
                        b"From: Ada <ada@example.org>\r\nTo: help@larder.test\r\n"
                        b"Subject: Where is my parcel?\r\nMessage-ID: <ada-1@example.org>\r\n"
                        b"\r\nOrder 77 is late.\r\n",
                    )
                sent = True
            except OSError:
                time.sleep(0.2)
        assert sent
        stored = None
        while time.monotonic() < deadline and not stored:
            with sqlite3.connect(tmp_path / "openline.sqlite3", timeout=10) as db:
                stored = db.execute(
                    "SELECT body_md FROM conversations_message WHERE external_id = ?",
                    ("ada-1@example.org",),
                ).fetchone()
            time.sleep(0.2)
        assert stored == ("Order 77 is late.",)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            process.stdout.close()
    assert process.returncode == 0


def test_a_busy_smtp_port_is_detected_so_run_starts_without_the_listener():
    from openline.management.commands.run import _port_free

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not _port_free("127.0.0.1", port)
    assert _port_free("127.0.0.1", free_port())
