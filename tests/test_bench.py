"""`make bench` helpers: reading wrk's output and a server's memory from /proc.

No server and no database: wrk output recorded on the development machine is fed to
the parser, and the memory reader runs on a fake /proc tree and on this test process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import __main__ as cli
from bench import post_page, proc, wrk

NGINX_OUTPUT = """\
Running 3s test @ http://127.0.0.1:55809/posts/how-we-pack-and-ship-your-order/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.82ms    1.97ms  16.19ms   85.83%
    Req/Sec    10.39k     2.86k   18.18k    68.33%
  Latency Distribution
     50%    1.03ms
     75%    2.46ms
     90%    4.44ms
     99%    9.04ms
  62528 requests in 3.04s, 2.81GB read
Requests/sec:  20567.83
Transfer/sec:      0.92GB
"""

# Seconds come with a trailing space; a slow server under 32 connections.
UNCACHED_OUTPUT = """\
Running 3s test @ http://127.0.0.1:35011/posts/how-we-pack-and-ship-your-order/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   806.82ms  166.73ms   1.33s    84.91%
    Req/Sec    31.40     18.99    60.00     63.33%
  Latency Distribution
     50%  748.48ms
     75%  770.57ms
     90%    1.10s 
     99%    1.32s 
  106 requests in 3.00s, 4.87MB read
Requests/sec:     35.27
Transfer/sec:      1.62MB
"""  # noqa: W291

# Adapted from a run against a server answering 404, with socket errors and a
# latency in minutes added.
FAILING_OUTPUT = """\
Running 1s test @ http://127.0.0.1:8799/missing
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   298.00us  120.00us   2.21ms   97.51%
    Req/Sec     2.02k   220.65     2.26k    81.82%
  Latency Distribution
     50%  298.00us
     75%  316.00us
     90%  359.00us
     99%    1.00m
  2208 requests in 1.10s, 1.10MB read
  Socket errors: connect 0, read 7, write 1, timeout 3
  Non-2xx or 3xx responses: 2208
Requests/sec:   2007.35
Transfer/sec:      1.00MB"""


def test_parses_rate_and_latency_distribution():
    result = wrk.parse(NGINX_OUTPUT)
    assert result.requests_per_sec == 20567.83
    assert result.requests == 62528
    assert result.seconds == 3.04
    assert result.latency_ms == {"50": 1.03, "75": 2.46, "90": 4.44, "99": 9.04}
    assert result.p50_ms == 1.03
    assert result.p99_ms == 9.04
    assert result.errors == 0


def test_seconds_with_trailing_space_are_milliseconds_too():
    result = wrk.parse(UNCACHED_OUTPUT)
    assert result.requests_per_sec == 35.27
    assert result.p50_ms == 748.48
    assert result.latency_ms["90"] == 1100.0
    assert result.p99_ms == 1320.0


def test_counts_failed_requests_but_not_timeouts():
    result = wrk.parse(FAILING_OUTPUT)
    assert result.p50_ms == 0.298
    assert result.p99_ms == 60_000.0
    assert result.socket_errors == {"connect": 0, "read": 7, "write": 1, "timeout": 3}
    assert result.non_2xx == 2208
    assert result.errors == 2208 + 7 + 1
    assert result.as_dict()["p50_ms"] == 0.298


@pytest.mark.parametrize(
    ("value", "unit", "ms"),
    [("250.00", "us", 0.25), ("3.5", "ms", 3.5), ("1.20", "s", 1200.0), ("2.00", "m", 120_000.0)],
)
def test_time_units(value, unit, ms):
    assert wrk.to_ms(value, unit) == pytest.approx(ms)


def test_output_without_summary_is_an_error():
    with pytest.raises(wrk.WrkError, match="no summary"):
        wrk.parse("unable to connect to 127.0.0.1:8798 Connection refused\n")


def _fake_process(
    root, pid, *, rss_kb, ppid, comm="python", children=None, pss_kb=None, ticks=(0, 0, 0, 0)
):
    folder = root / str(pid)
    (folder / "task" / str(pid)).mkdir(parents=True)
    (folder / "status").write_text(
        f"Name:\t{comm}\nPid:\t{pid}\nVmRSS:\t  {rss_kb} kB\nThreads:\t1\n"
    )
    utime, stime, cutime, cstime = ticks
    (folder / "stat").write_text(
        f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560 1200 0 3 0 "
        f"{utime} {stime} {cutime} {cstime} 20 0 1 0 9999 123456789 7000\n"
    )
    if children is not None:
        (folder / "task" / str(pid) / "children").write_text(" ".join(map(str, children)) + " ")
    if pss_kb is not None:
        (folder / "smaps_rollup").write_text(f"Rss:\t{rss_kb} kB\nPss:\t{pss_kb} kB\n")


def test_sums_master_and_workers_from_task_children(tmp_path):
    _fake_process(tmp_path, 100, rss_kb=30_000, ppid=1, children=[101, 102], pss_kb=20_000)
    _fake_process(tmp_path, 101, rss_kb=50_000, ppid=100, children=[], pss_kb=30_000)
    _fake_process(tmp_path, 102, rss_kb=52_000, ppid=100, children=[103], pss_kb=31_000)
    _fake_process(tmp_path, 103, rss_kb=1_000, ppid=102, children=[], pss_kb=1_000)
    _fake_process(tmp_path, 200, rss_kb=99_999, ppid=1, children=[])  # someone else's
    assert proc.vm_rss_kb(101, tmp_path) == 50_000
    assert proc.children(100, tmp_path) == [101, 102]
    memory = proc.tree_memory(100, tmp_path)
    assert sorted(memory["pids"]) == [100, 101, 102, 103]
    assert memory["rss_kb"] == 133_000
    assert memory["pss_kb"] == 82_000


def test_finds_children_by_parent_when_the_kernel_lists_none(tmp_path):
    # No task/*/children files: every /proc/<n>/stat is read; names may hold ") (".
    _fake_process(tmp_path, 300, rss_kb=10_000, ppid=1, comm="gunicorn: master [openline]")
    _fake_process(tmp_path, 301, rss_kb=40_000, ppid=300, comm="gunicorn: worker (a) [x]")
    _fake_process(tmp_path, 302, rss_kb=41_000, ppid=300, comm="nginx")
    _fake_process(tmp_path, 303, rss_kb=5_000, ppid=1, comm="other")
    (tmp_path / "self").mkdir()
    assert proc.children(300, tmp_path) == [301, 302]
    assert proc.tree_memory(300, tmp_path)["rss_kb"] == 91_000


def test_cpu_time_of_a_server_counts_reaped_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(proc.os, "sysconf", lambda name: 100)
    # The master has reaped one worker (cutime/cstime); two workers are alive.
    _fake_process(tmp_path, 500, rss_kb=1, ppid=1, children=[501, 502], ticks=(10, 5, 300, 40))
    _fake_process(tmp_path, 501, rss_kb=1, ppid=500, children=[], ticks=(200, 50, 0, 0))
    _fake_process(tmp_path, 502, rss_kb=1, ppid=500, children=[], ticks=(190, 55, 0, 0))
    assert proc.cpu_ticks(501, tmp_path) == 250
    assert proc.tree_cpu_seconds(500, tmp_path) == pytest.approx(8.5)


def test_a_process_that_ended_counts_nothing(tmp_path):
    _fake_process(tmp_path, 400, rss_kb=10_000, ppid=1, children=[401])  # 401 is gone
    assert proc.vm_rss_kb(401, tmp_path) == 0
    memory = proc.tree_memory(400, tmp_path)
    assert memory == {"pids": [400], "rss_kb": 10_000, "pss_kb": 0}


def test_reads_this_process_and_its_child_from_the_real_proc():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        memory = proc.tree_memory(os.getpid())
        assert child.pid in memory["pids"]
        assert memory["rss_kb"] > proc.vm_rss_kb(os.getpid()) > 1000
        assert proc.tree_cpu_seconds(os.getpid()) > 0
    finally:
        child.kill()
        child.wait()


def test_command_line_defaults():
    args = cli.parse_args([])
    assert (args.scenario, args.duration, args.connections, args.workers) == ("all", 8, 32, 2)
    with pytest.raises(SystemExit):
        cli.parse_args(["--scenario", "nope"])


def test_search_scenario_arguments(tmp_path):
    args = cli.parse_args([])
    assert (args.search_messages, args.search_rounds) == (1_000_000, 10)
    assert args.search_dir == cli.ROOT / "var" / "bench"
    args = cli.parse_args(
        ["--scenario", "search", "--search-messages", "2000", "--search-rounds", "3",
         "--search-dir", str(tmp_path)]
    )  # fmt: skip
    assert (args.scenario, args.search_messages, args.search_rounds) == ("search", 2000, 3)
    assert args.search_dir == tmp_path
    for bad in (["--search-messages", "99"], ["--search-rounds", "0"]):
        with pytest.raises(SystemExit):
            cli.parse_args(bad)


def test_report_shows_ratios_and_goals():
    def run(server, mode, conns, rate, p50):
        return {
            "server": server, "mode": mode, "connections": conns, "requests_per_sec": rate,
            "ratio_to_nginx": rate / 50_000, "p50_ms": p50, "p99_ms": p50 * 3,
            "rss_mb": 100.0, "errors": 0, "cpu_ms_per_request": 2.0 / rate * 1000,
        }  # fmt: skip

    runs = [
        run("nginx", "same bytes", 32, 50_000, 0.5),
        run("gunicorn", "uncached", 32, 600, 50),
        run("gunicorn", "cached anonymous", 32, 4_000, 7),
        run("gunicorn", "uncached", 1, 90, 11),
    ]
    summary = {"uncached_ratio": 0.012, "cached_ratio": 0.08, "uncached_p50_c1_ms": 11.0}
    results = {
        "page": {"path": "/posts/x/", "comments": 100, "bytes": 48_000},
        "settings": {"duration_s": 8, "gunicorn_workers": 2},
        "machine": {"cpus": 2},
        "runs": runs,
        "goals": post_page.check_goals(summary),
        "errors": 0,
    }
    text = post_page.report(results)
    assert "50,000.0" in text
    assert "1.20%" in text
    assert "PASS  uncached rate >= 1% of nginx" in text
    assert "MISS  cached anonymous rate >= 10% of nginx" in text
    assert "PASS  uncached p50 at concurrency 1 < 15 ms" in text
    assert "0.040" in text  # CPU ms per request of nginx


def test_a_goal_without_a_value_is_missed():
    goals = post_page.check_goals({"uncached_ratio": None, "cached_ratio": 0.2})
    assert [g["met"] for g in goals] == [False, True, False]


# The page cache the benchmark measures: a hit is served from the worker's own copy
# only while the shared cache agrees, and with the headers of the page it copies.


@pytest.fixture
def page_cache(settings):
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import RequestFactory

    from openline import pagecache

    settings.PAGE_CACHE_SECONDS = 60
    pagecache._local.clear()
    rendered = []

    def view(request):
        rendered.append(request.path)
        response = HttpResponse(f"<p>page {len(rendered)}</p>")
        response["X-Frame-Options"] = "DENY"
        response["Vary"] = "Cookie"
        response.cache_for_anonymous = True
        return response

    middleware = pagecache.AnonymousPageCacheMiddleware(view)

    def get(path="/posts/a/"):
        return middleware(RequestFactory().get(path))

    yield get, rendered, cache, pagecache
    pagecache._local.clear()


def test_a_hit_has_the_headers_and_length_of_the_page(page_cache):
    get, rendered, _, _ = page_cache
    first = get()
    assert first["X-Page-Cache"] == "miss"
    hit = get()
    assert rendered == ["/posts/a/"]
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content == b"<p>page 1</p>"
    assert hit["Content-Length"] == str(len(hit.content))
    assert (hit["X-Frame-Options"], hit["Vary"]) == ("DENY", "Cookie")
    assert hit["Content-Type"] == first["Content-Type"]


def test_the_workers_copy_is_dropped_when_another_worker_invalidates(page_cache):
    get, rendered, _, pagecache = page_cache
    get()
    pagecache._bump()  # as after a comment posted through another worker
    assert get()["X-Page-Cache"] == "miss"
    assert get().content == b"<p>page 2</p>"
    assert len(rendered) == 2


def test_the_workers_copy_is_dropped_when_the_shared_cache_is_emptied(page_cache, settings):
    settings.PAGE_CACHE_GENERATION_FILE = None  # the generation lives in the cache (Redis)
    get, rendered, cache, _ = page_cache
    get()
    cache.clear()  # e.g. Redis restarted: the generation starts again, elsewhere
    assert get()["X-Page-Cache"] == "miss"
    assert len(rendered) == 2


def test_the_workers_copy_expires_with_the_shared_entry(page_cache, monkeypatch):
    get, rendered, _, pagecache = page_cache
    get()
    later = pagecache.time.time() + 61
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert get()["X-Page-Cache"] == "miss"
    assert len(rendered) == 2


def test_the_workers_copies_stay_within_their_byte_budget():
    from openline.pagecache import _LocalPages

    local = _LocalPages(max_bytes=10)
    local.put("a", (1, 0, 200, [], b"12345"))
    local.put("b", (1, 0, 200, [], b"12345"))
    assert local.get("a") is not None  # now the most recently used
    local.put("c", (1, 0, 200, [], b"123"))
    assert local.get("b") is None
    assert local.get("a") is not None
    assert local.size == 8
    local.put("huge", (1, 0, 200, [], b"x" * 11))
    assert local.get("huge") is None


def test_analysis_report_names_each_tier_and_the_goals():
    from bench import analysis_speed

    results = {
        "messages": 4000,
        "per_second": {"sentiment: vader": 11859.2, "sentiment: linear": 1757.4},
        "worker_peak_rss_mb": 94.3,
        "goals": {
            "default_tier_per_second": {"goal": 500, "measured": 1757.4, "met": True},
            "worker_rss_mb": {"goal": 500, "measured": 94.3, "met": True},
        },
    }
    text = analysis_speed.report(results)
    assert "Analysis on one core, 4,000 held-out tweets" in text
    assert "sentiment: linear" in text and "1,757 /s" in text
    assert "met: worker_rss_mb (goal 500, measured 94)" in text


def test_the_ingest_file_is_read_back_as_the_mentions_written(tmp_path):
    from bench import ingest
    from listening.connectors import records

    path = tmp_path / "mentions.jsonl"
    ingest.write_mentions(path, ["First post", "Second post", "First post"])
    with path.open("rb") as raw:
        items = [item for _, item in records.read_file(raw, path.name)]
    assert [item.body for item in items] == ["First post", "Second post", "First post"]
    assert len({item.url for item in items}) == 3  # every mention its own post
    assert items[1].author_handle == "@user1@www.reddit.com"


def test_the_ingest_report_says_whether_the_goal_is_met():
    from bench import ingest

    results = {
        "mentions": 20_000, "queries": 10, "pipeline_per_second": 1370.0,
        "pipeline_seconds": 14.6, "vader_per_second": 12650.0, "ratio": 0.108,
        "second_run_per_second": 9091.0,
        "goals": {"pipeline_vs_vader": {"goal": 0.5, "measured": 0.108, "met": False}},
    }  # fmt: skip
    text = ingest.report(results)
    assert "1,370 /s" in text and "12,650 /s" in text
    assert "NOT met: pipeline at least 0.5 of VADER (measured 0.11)" in text
