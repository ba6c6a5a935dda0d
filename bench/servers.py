"""Starting and stopping the servers under test, on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Passed through to the servers; everything else (DATABASE_URL, REDIS_URL, DEBUG,
# WEB_WORKERS, ...) is left out so the run measures the default single-machine setup.
_KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")


class BenchError(RuntimeError):
    """Something the benchmark needs did not start or answer."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def django_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in _KEEP_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="openline.settings",
        OPENLINE_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        """Ask the master to stop, then kill its process group if it lingers.

        Each server runs in a session of its own, so the group is exactly the server
        (master and workers) this benchmark started."""
        if self.process.poll() is not None:
            return
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            if self.process.poll() is None:
                self.process.wait(timeout=5)


def _start(name: str, command: list[str], *, port: int, log: Path, env=None, cwd=None) -> Server:
    handle = log.open("ab")
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    finally:
        handle.close()
    return Server(name=name, process=process, port=port, log=log)


def fetch(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "openline-bench"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    """Until `path` answers 200; fails early if the server process exits."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited ({server.process.returncode}) while starting:\n"
                + server.log_tail()
            )
        try:
            status, _, _ = fetch(server.url(path), timeout=5)
        except OSError as exc:
            last = str(exc)
        else:
            if status == 200:
                return
            last = f"HTTP {status}"
        time.sleep(0.2)
    raise BenchError(
        f"{server.name} not ready after {timeout:.0f} s ({last}):\n" + server.log_tail()
    )


def start_gunicorn(
    name: str, env: dict, *, workers: int, log: Path, extra_args: list[str] = ()
) -> Server:
    """The production server: gunicorn with openline/gunicorn_conf.py, as `openline run`."""
    port = free_port()
    gunicorn = BIN / "gunicorn"
    launcher = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    command = [
        *launcher,
        "openline.wsgi:application",
        "--config", "python:openline.gunicorn_conf",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        *extra_args,
    ]  # fmt: skip
    return _start(name, command, port=port, log=log, env=env, cwd=ROOT)


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    types {{ }}
    default_type "{content_type}";
    server {{
        listen {host}:{port};
        root {prefix}/html;
        location / {{ try_files /page.html =404; }}
    }}
}}
"""


def start_nginx(prefix: Path, body: bytes, content_type: str, *, log: Path) -> Server:
    """Debian's nginx, one worker, answering every path with exactly `body`."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        raise BenchError("nginx is not installed (make bench-deps installs it)")
    port = free_port()
    (prefix / "html").mkdir(parents=True, exist_ok=True)
    (prefix / "tmp").mkdir(exist_ok=True)
    (prefix / "html" / "page.html").write_bytes(body)
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(prefix=prefix, host=HOST, port=port, content_type=content_type)
    )
    # When started as root, nginx's worker runs as "nobody": let it read the page.
    for path in (prefix, prefix / "html"):
        path.chmod(0o755)
    (prefix / "html" / "page.html").chmod(0o644)
    command = [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    server = _start("nginx", command, port=port, log=log)
    server.extra["error_log"] = str(prefix / "error.log")
    return server
