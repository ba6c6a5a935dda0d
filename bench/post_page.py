"""Scenario post_page: the anonymous page of a post with 100 comments.

Three servers on loopback, side by side in one run:
- nginx (Debian's, one worker) serving the very bytes Openline rendered: the ceiling;
- gunicorn with the production config and the page cache off: every request renders;
- gunicorn with the production config and the page cache on, warmed: what an anonymous
  visitor of a busy post gets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import proc, wrk
from bench.servers import (
    ROOT,
    BenchError,
    Server,
    django_env,
    fetch,
    start_gunicorn,
    start_nginx,
    wait_ready,
)

NAME = "post_page"
# The goals of the issue that asked for this: (summary key, goal, at least, below).
GOALS = [
    ("uncached_ratio", "uncached rate >= 1% of nginx", 0.01, None),
    ("cached_ratio", "cached anonymous rate >= 10% of nginx", 0.10, None),
    ("uncached_p50_c1_ms", "uncached p50 at concurrency 1 < 15 ms", None, 15.0),
]


def check_goals(summary: dict) -> list[dict]:
    goals = []
    for key, text, at_least, below in GOALS:
        value = summary.get(key)
        met = value is not None and (
            (at_least is None or value >= at_least) and (below is None or value < below)
        )
        goals.append({"goal": text, "value": value, "met": met})
    return goals


def _seed(data_dir: Path, comments: int, log: Path) -> dict:
    env = django_env(data_dir)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.seed", "--comments", str(comments)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise BenchError("seeding the benchmark data took over 10 minutes") from exc
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise BenchError(f"seeding failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _get_page(server: Server, path: str) -> tuple[dict[str, str], bytes]:
    status, headers, body = fetch(server.url(path))
    if status != 200:
        raise BenchError(f"{server.name} answered {status} for {path}:\n{server.log_tail()}")
    return headers, body


def _measure(
    server: Server, path: str, args, *, connections: int, threads: int, warm_up: bool
) -> dict:
    url = server.url(path)
    if warm_up:
        # One second, discarded: first requests compile templates, fill caches, etc.
        wrk.run(url, duration=1, connections=connections, threads=threads)
    cpu_before = proc.tree_cpu_seconds(server.pid)
    result, output = wrk.run(url, duration=args.duration, connections=connections, threads=threads)
    cpu_seconds = proc.tree_cpu_seconds(server.pid) - cpu_before
    if server.process.poll() is not None:
        raise BenchError(f"{server.name} stopped during the run:\n{server.log_tail()}")
    memory = proc.tree_memory(server.pid)
    return {
        **result.as_dict(),
        "connections": connections,
        "threads": min(threads, connections),
        "errors": result.errors,
        "cpu_seconds": round(cpu_seconds, 2),
        "cpu_ms_per_request": (
            round(cpu_seconds * 1000 / result.requests, 4) if result.requests else None
        ),
        "rss_mb": round(memory["rss_kb"] / 1024, 1),
        "pss_mb": round(memory["pss_kb"] / 1024, 1),
        "processes": len(memory["pids"]),
        "wrk_output": output,
    }


def run(args) -> dict:
    servers: list[Server] = []
    with (
        tempfile.TemporaryDirectory(prefix="openline-bench-") as tmp,
        # nginx's worker may run as "nobody": its folder is readable, apart from the data.
        tempfile.TemporaryDirectory(prefix="openline-bench-nginx-") as nginx_prefix,
    ):
        tmp, nginx_prefix = Path(tmp), Path(nginx_prefix)
        data_dir, logs = tmp / "data", tmp / "logs"
        logs.mkdir()
        try:
            print(f"Setting up a throwaway data folder with a post of {args.comments} comments …")
            seeded = _seed(data_dir, args.comments, logs / "seed.log")
            path = seeded["path"]
            extra = list(args.gunicorn_arg or [])
            uncached = start_gunicorn(
                "gunicorn uncached",
                django_env(data_dir, OPENLINE_PAGE_CACHE_SECONDS="0"),
                workers=args.workers, log=logs / "gunicorn-uncached.log", extra_args=extra,
            )  # fmt: skip
            servers.append(uncached)
            cached = start_gunicorn(
                "gunicorn cached",
                django_env(data_dir),
                workers=args.workers, log=logs / "gunicorn-cached.log", extra_args=extra,
            )  # fmt: skip
            servers.append(cached)
            wait_ready(uncached, path)
            wait_ready(cached, path)

            headers, body = _get_page(uncached, path)
            if "X-Page-Cache" in headers:
                raise BenchError("the uncached server answered from the page cache")
            content_type = headers.get("Content-Type", "text/html; charset=utf-8")
            cached_headers, cached_body = _get_page(cached, path)
            if cached_headers.get("X-Page-Cache") != "hit":
                cached_headers, cached_body = _get_page(cached, path)
            if cached_headers.get("X-Page-Cache") != "hit":
                raise BenchError(f"the cached server did not serve a hit: {cached_headers}")
            if cached_body != body:
                raise BenchError("the cached page differs from the rendered one")

            nginx = start_nginx(nginx_prefix, body, content_type, log=logs / "nginx.log")
            servers.append(nginx)
            wait_ready(nginx, path)
            if _get_page(nginx, path)[1] != body:
                raise BenchError("nginx does not serve the same bytes")

            c, t = args.connections, args.threads
            plan = [
                ("nginx", "same bytes", nginx, c),
                ("gunicorn", "uncached", uncached, c),
                ("gunicorn", "cached anonymous", cached, c),
                ("gunicorn", "uncached", uncached, 1),
            ]
            load_before = _load_average()
            rounds: list[list[dict]] = [[] for _ in plan]
            # With --rounds N the plan runs N times over, interleaved, so a neighbour's
            # burst of load hits every server alike; each row reports its median round.
            for n in range(args.rounds):
                for i, (server_name, mode, server, conns) in enumerate(plan):
                    label = f" (round {n + 1}/{args.rounds})" if args.rounds > 1 else ""
                    print(
                        f"  wrk {server_name} {mode}, {conns} connection(s), "
                        f"{args.duration:g} s{label} …"
                    )
                    measured = _measure(
                        server, path, args, connections=conns, threads=t, warm_up=n == 0
                    )
                    rounds[i].append({"server": server_name, "mode": mode, **measured})
            load_after = _load_average()
            runs = [_median_run(r) for r in rounds]
        finally:
            for server in reversed(servers):
                server.stop()

    nginx_rate = runs[0]["requests_per_sec"]
    for r in runs:
        r["ratio_to_nginx"] = r["requests_per_sec"] / nginx_rate if nginx_rate else None
    summary = {
        "uncached_ratio": runs[1]["ratio_to_nginx"],
        "cached_ratio": runs[2]["ratio_to_nginx"],
        "uncached_p50_c1_ms": runs[3]["p50_ms"],
    }
    goals = check_goals(summary)
    return {
        "scenario": NAME,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": _cpu_model(),
            "python": platform.python_version(),
            "kernel": platform.release(),
        },
        "page": {"path": path, "bytes": len(body), "comments": seeded["comments"]},
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "rounds": args.rounds,
            "gunicorn_workers": args.workers,
            "gunicorn_extra_args": list(args.gunicorn_arg or []),
        },
        "load_average": {"before": load_before, "after": load_after},
        "runs": runs,
        "summary": summary,
        "goals": goals,
        "errors": sum(r["errors"] for r in runs),
    }


def _median_run(runs: list[dict]) -> dict:
    """The round with the median rate (the lower middle one for an even count), with
    every round's rate and p50 kept beside it."""
    ordered = sorted(runs, key=lambda r: r["requests_per_sec"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    if len(runs) > 1:
        chosen["rounds"] = [
            {"requests_per_sec": r["requests_per_sec"], "p50_ms": r["p50_ms"]} for r in runs
        ]
        chosen["errors"] = sum(r["errors"] for r in runs)
    return chosen


def _load_average() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(results: dict) -> str:
    page, settings = results["page"], results["settings"]
    lines = [
        f"Post page: {page['path']} ({page['comments']} comments, {page['bytes']:,} bytes); "
        f"wrk {settings['duration_s']:g} s per run; gunicorn {settings['gunicorn_workers']} "
        f"workers; {results['machine']['cpus']} CPUs",
        "",
        f"{'server':9} {'mode':17} {'conns':>5} {'requests/s':>11} {'vs nginx':>9} "
        f"{'p50 ms':>7} {'p99 ms':>8} {'CPU ms/req':>10} {'RSS MB':>7} {'errors':>6}",
    ]
    for r in results["runs"]:
        ratio = r["ratio_to_nginx"]
        lines.append(
            f"{r['server']:9} {r['mode']:17} {r['connections']:>5} "
            f"{r['requests_per_sec']:>11,.1f} {'-' if ratio is None else f'{ratio:.2%}':>9} "
            f"{_ms(r['p50_ms']):>7} {_ms(r['p99_ms']):>8} "
            f"{_ms(r.get('cpu_ms_per_request'), 3):>10} {r['rss_mb']:>7.1f} {r['errors']:>6}"
        )
    load = results.get("load_average", {}).get("before")
    cpus = results["machine"]["cpus"] or 1
    if load is not None and load > cpus / 2:
        lines += [
            "",
            f"Note: the load average was {load:.2f} on {cpus} CPUs before the runs: other work "
            "shared the machine, so every rate is lower than on an idle one.",
        ]
    lines += ["", "Goals:"]
    for goal in results["goals"]:
        value = goal["value"]
        shown = f"{value:.2f} ms" if goal["goal"].endswith("ms") else f"{value:.2%}"
        lines.append(f"  {'PASS' if goal['met'] else 'MISS'}  {goal['goal']:40} {shown}")
    if results["errors"]:
        lines.append(f"\n{results['errors']} request(s) failed: see wrk_output in the JSON.")
    return "\n".join(lines)
