"""Resident memory of a server: its master process and every process below it."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None  # the process ended meanwhile, or is not ours to read


def vm_rss_kb(pid: int, proc: Path = PROC) -> int:
    """VmRSS of one process in kB; 0 when it has gone (or is a zombie)."""
    status = _read(proc / str(pid) / "status")
    for line in (status or "").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kb(pid: int, proc: Path = PROC) -> int:
    """Proportional set size in kB: shared pages split between the processes sharing
    them, so the sum over a forked server does not count the shared pages twice."""
    rollup = _read(proc / str(pid) / "smaps_rollup")
    for line in (rollup or "").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _stat_fields(stat: str) -> list[str]:
    # "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    return stat[stat.rfind(")") + 2 :].split()


def _parent_of(stat: str) -> int | None:
    rest = _stat_fields(stat)
    return int(rest[1]) if len(rest) > 1 else None


def cpu_ticks(pid: int, proc: Path = PROC) -> int:
    """CPU time of a process in clock ticks: its own (utime, stime) and that of the
    children it has reaped (cutime, cstime), e.g. workers gunicorn replaced."""
    stat = _read(proc / str(pid) / "stat")
    fields = _stat_fields(stat) if stat else []
    if len(fields) < 15:
        return 0
    return sum(int(f) for f in fields[11:15])


def children(pid: int, proc: Path = PROC) -> list[int]:
    """Direct children of `pid`, from /proc/<pid>/task/*/children, or by scanning
    every /proc/<n>/stat for its parent when the kernel does not offer that file."""
    found: list[int] = []
    offered = False
    tasks = proc / str(pid) / "task"
    if tasks.is_dir():
        for task in sorted(tasks.iterdir()):
            text = _read(task / "children")
            if text is not None:
                offered = True
                found.extend(int(c) for c in text.split())
    if offered:
        return sorted(set(found))
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _read(entry / "stat")
        if stat and _parent_of(stat) == pid:
            found.append(int(entry.name))
    return sorted(found)


def tree(pid: int, proc: Path = PROC) -> list[int]:
    """`pid` and all its descendants."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        todo.extend(children(current, proc))
    return seen


def tree_cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """CPU seconds used so far by a server: master, workers and reaped workers.

    The difference over a load run, divided by the requests served, is the CPU cost of
    one request; unlike the rate, it hardly moves when other work shares the machine."""
    ticks = sum(cpu_ticks(p, proc) for p in tree(pid, proc))
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_memory(pid: int, proc: Path = PROC) -> dict:
    """Summed VmRSS (and PSS) of a server's processes, in kB."""
    pids = [p for p in tree(pid, proc) if vm_rss_kb(p, proc) > 0]
    return {
        "pids": pids,
        "rss_kb": sum(vm_rss_kb(p, proc) for p in pids),
        "pss_kb": sum(pss_kb(p, proc) for p in pids),
    }
