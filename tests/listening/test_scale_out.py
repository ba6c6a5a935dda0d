"""Scale-out: with REDIS_URL set, jobs run on Redis, and two consumers polling feeds that share
posts store every mention exactly once.

`.ci/run` starts a Redis server and names it in OPENLINE_TEST_REDIS_URL; without it the test
starts its own `redis-server` (Debian's package, installed by `make test-deps`). The consumers
are real `openline run_huey` processes on a database of their own: a scratch PostgreSQL
database when the suite runs on PostgreSQL, else an SQLite file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.test_run_command import free_port

FEEDS = 4
POSTS = 40  # each post appears in two feeds


def feed_xml(feed: int) -> bytes:
    entries = []
    for n in range(POSTS):
        if n % FEEDS in (feed, (feed + 1) % FEEDS):
            entries.append(
                f"<item><title>Larder order {n}</title>"
                f"<link>https://blog{n % 3}.example/posts/{n}?utm_source=feed{feed}</link>"
                f"<guid>post-{n}</guid><author>writer{n}@blog.example (Writer {n})</author>"
                f"<description>Post {n}: my Larder box number {n} arrived late again.</description>"
                f"<pubDate>Mon, 23 Nov 2026 10:{n % 60:02d}:00 +0000</pubDate></item>"
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://feeds.example/{feed}</link>"
        f"<description>Feed {feed}</description>{''.join(entries)}</channel></rss>"
    ).encode()


class Rendezvous:
    """Holds the first feed request until a second one is in flight. Each consumer runs one
    worker, so two requests at once come from two consumers: both provably take jobs, however
    slowly one of them starts on a loaded machine."""

    def __init__(self):
        self.arrived = 0
        self.lock = threading.Lock()
        self.both = threading.Event()

    def wait(self):
        with self.lock:
            self.arrived += 1
            if self.arrived >= 2:
                self.both.set()
        self.both.wait(60)


class FeedHandler(BaseHTTPRequestHandler):
    rendezvous = Rendezvous()

    def do_GET(self):
        self.rendezvous.wait()
        time.sleep(0.2)
        body = feed_xml(int(self.path.strip("/").split(".")[0]))
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def redis_url():
    url = os.environ.get("OPENLINE_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test-deps` installs Debian's redis-server"
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(10)


@pytest.fixture
def database_url(tmp_path):
    """A database for the consumers: a scratch PostgreSQL database, or an SQLite file."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'scale.sqlite3'}"
        return
    db = settings.DATABASES["default"]
    name = f"openline_scale_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django(env: dict, code: str) -> str:
    """Run `code` in a fresh process with Django set up on the consumers' settings."""
    script = "import django; django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


SEED = """
from django.utils import timezone
from listening.models import Source, SourceKind
from listening.tasks import poll_source
base = {base!r}
ids = []
for n in range({feeds}):
    source = Source.objects.create(
        name=f"Feed {{n}}", kind=SourceKind.FEED, keep_all=True,
        config={{"url": f"{{base}}/{{n}}.xml"}}, next_poll_at=timezone.now(),
    )
    ids.append(source.pk)
for pk in ids + ids:  # every job queued twice, as a second scheduler would
    poll_source(pk)
"""

COUNT = """
import json
from django.db.models import Count
from listening.models import Mention, Source
print(json.dumps({
    "mentions": Mention.objects.count(),
    "urls": Mention.objects.values("url").distinct().count(),
    "repeated": Mention.objects.values("url").annotate(n=Count("id")).filter(n__gt=1).count(),
    "polled": Source.objects.filter(last_success_at__isnull=False).count(),
    "errors": list(Source.objects.exclude(last_error="").values_list("last_error", flat=True)),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_two_consumers_on_redis_store_every_mention_exactly_once(tmp_path, redis_url, database_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    FeedHandler.rendezvous = Rendezvous()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        OPENLINE_DATA_DIR=str(tmp_path),
        OPENLINE_LISTENING_ALLOW_PRIVATE_ADDRESSES="true",
        DJANGO_SETTINGS_MODULE="openline.settings",
        PYTHONUNBUFFERED="1",
    )
    consumers = []
    try:
        subprocess.run(
            [sys.executable, "-m", "openline.cli", "migrate", "--verbosity", "0"],
            env=env, check=True, timeout=300,
        )  # fmt: skip
        for n in range(2):
            log = open(tmp_path / f"consumer{n}.log", "w")  # noqa: SIM115 (closed below)
            consumers.append(
                (
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "openline.cli",
                            "run_huey",
                            "--workers",
                            "1",
                            "--no-periodic",
                        ],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        base = f"http://127.0.0.1:{server.server_address[1]}"
        django(env, SEED.format(base=base, feeds=FEEDS))

        deadline = time.monotonic() + 180
        while True:
            counts = json.loads(django(env, COUNT))
            queued = client.llen("huey.redis.openline")
            if counts["polled"] == FEEDS and queued == 0:
                break
            assert time.monotonic() < deadline, (counts, queued)
            time.sleep(0.5)
        time.sleep(1)  # a duplicate job still running would show up now
        counts = json.loads(django(env, COUNT))
    finally:
        for process, log in consumers:
            process.terminate()
            process.wait(20)
            log.close()
        server.shutdown()
        server.server_close()
        client.close()

    assert counts == {
        "mentions": POSTS,
        "urls": POSTS,
        "repeated": 0,
        "polled": FEEDS,
        "errors": [],
    }
    assert FeedHandler.rendezvous.both.is_set()
    logs = [(tmp_path / f"consumer{n}.log").read_text() for n in range(2)]
    for text in logs:
        # Both consumers took jobs from the one Redis queue.
        assert "Executing listening.tasks.poll_source" in text, text


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_file_is_finished_by_the_next_run(tmp_path, database_url):
    """kill -9 during `openline ingest`: the chunks committed stay, the next run stores the
    rest and counts the stored ones as duplicates; nothing is lost and nothing doubled."""
    lines = [
        json.dumps(
            {"id": str(n), "url": f"https://forum.example/t/{n}", "author": f"Member {n % 7}",
             "text": f"Post {n}: Larder box {n} came late, again."}
        )
        for n in range(1500)
    ]  # fmt: skip
    path = tmp_path / "mentions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=database_url,
        OPENLINE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="openline.settings",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "-m", "openline.cli", "migrate", "--verbosity", "0"],
        env=env, check=True, timeout=300,
    )  # fmt: skip
    command = [sys.executable, "-m", "openline.cli", "ingest", str(path), "--batch", "50"]
    process = subprocess.Popen(
        [*command, "--verbosity", "2"], env=env, stdout=subprocess.PIPE, text=True
    )
    progress = 0
    while progress < 3:  # three chunks committed, the fourth under way
        line = process.stdout.readline()
        assert line, "the import ended before it could be killed"
        progress += line.startswith("…")
    process.kill()
    process.wait(10)
    process.stdout.close()
    first = json.loads(django(env, COUNT))["mentions"]
    assert 150 <= first < 1500

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{1500 - first} stored, {first} already stored" in done.stdout
    counts = json.loads(django(env, COUNT))
    assert (counts["mentions"], counts["urls"], counts["repeated"]) == (1500, 1500, 0)
