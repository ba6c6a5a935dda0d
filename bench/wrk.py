"""Running wrk and reading what it prints."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field

_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}

_TIME = r"([\d.]+)(us|ms|s|m|h)"
_RATE_RE = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_DIST_RE = re.compile(r"^\s+(\d+(?:\.\d+)?)%\s+" + _TIME + r"\s*$", re.M)
_TOTAL_RE = re.compile(r"^\s+(\d+) requests in " + _TIME + r",", re.M)
_SOCKET_RE = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M
)
_NON_2XX_RE = re.compile(r"Non-2xx or 3xx responses: (\d+)")


class WrkError(RuntimeError):
    """wrk did not run, or printed something this parser does not understand."""


@dataclass
class WrkResult:
    requests_per_sec: float
    requests: int
    seconds: float
    latency_ms: dict[str, float] = field(default_factory=dict)  # "50" -> milliseconds
    socket_errors: dict[str, int] = field(default_factory=dict)
    non_2xx: int = 0

    @property
    def p50_ms(self) -> float | None:
        return self.latency_ms.get("50")

    @property
    def p99_ms(self) -> float | None:
        return self.latency_ms.get("99")

    @property
    def errors(self) -> int:
        """Failed requests: bad statuses and broken connections (timeouts are counted
        apart: a slow server is a result, not a failure)."""
        broken = sum(v for k, v in self.socket_errors.items() if k != "timeout")
        return self.non_2xx + broken

    def as_dict(self) -> dict:
        return {**asdict(self), "p50_ms": self.p50_ms, "p99_ms": self.p99_ms}


def to_ms(value: str, unit: str) -> float:
    """wrk's time, e.g. ("341.61", "us"), in milliseconds."""
    return float(value) * _TIME_UNITS[unit]


def parse(text: str) -> WrkResult:
    """Read the summary wrk prints with --latency."""
    rate = _RATE_RE.search(text)
    total = _TOTAL_RE.search(text)
    if rate is None or total is None:
        raise WrkError("wrk printed no summary:\n" + text.strip())
    latency = {
        f"{float(pct):g}": round(to_ms(value, unit), 4)
        for pct, value, unit in _DIST_RE.findall(text)
    }
    socket = _SOCKET_RE.search(text)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True))
        if socket
        else {}
    )
    non_2xx = _NON_2XX_RE.search(text)
    return WrkResult(
        requests_per_sec=float(rate.group(1)),
        requests=int(total.group(1)),
        seconds=round(to_ms(total.group(2), total.group(3)) / 1000.0, 3),
        latency_ms=latency,
        socket_errors=socket_errors,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def run(url: str, *, duration: float, connections: int, threads: int) -> tuple[WrkResult, str]:
    """Load `url` for `duration` seconds; returns the parsed result and wrk's output."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkError("wrk is not installed (make bench-deps installs it)")
    threads = max(1, min(threads, connections))
    seconds = max(1, round(duration))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish: {' '.join(command)}") from exc
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return parse(done.stdout), done.stdout
