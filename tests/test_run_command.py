"""`openline run` on an empty data folder: migrates, loads the demo company, serves it
with gunicorn and the Huey consumer, prints the URL and logins, and stops cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_serves_the_demo_company(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        OPENLINE_DATA_DIR=str(tmp_path),
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
