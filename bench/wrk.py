"""Driving wrk and reading the figures out of its text report."""

from __future__ import annotations

import re
import subprocess

from bench import BenchError
from bench.load import LoadResult

# wrk prints durations with the unit it found most readable.
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+" + _DURATION + r"\s*$", re.MULTILINE)
_TOTALS = re.compile(r"^\s*(\d+) requests in " + _DURATION, re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_BAD_STATUS = re.compile(r"Non-2xx or 3xx responses: (\d+)")
# Beyond the measured time, wrk needs a moment to start its threads and to print.
_GRACE_SECONDS = 30


class WrkGenerator:
    name = "wrk"

    def __init__(self, executable: str, *, threads: int, connections: int) -> None:
        self._executable = executable
        self._threads = threads
        self._connections = connections

    def run(self, url: str, seconds: int, headers: dict[str, str] | None = None) -> LoadResult:
        command = [
            self._executable,
            f"-t{self._threads}",
            f"-c{self._connections}",
            f"-d{seconds}s",
            "--latency",
            *(argument for name, value in (headers or {}).items() for argument in ("-H", f"{name}: {value}")),
            url,
        ]
        try:
            finished = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + _GRACE_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(f"wrk did not finish within {seconds + _GRACE_SECONDS} s on {url}") from error
        if finished.returncode != 0:
            raise BenchError(f"wrk failed on {url}: {finished.stderr.strip() or finished.stdout.strip()}")
        return parse_report(finished.stdout)


def parse_report(report: str) -> LoadResult:
    percentiles = {match.group(1): _ms(match.group(2), match.group(3)) for match in _PERCENTILE.finditer(report)}
    totals = _TOTALS.search(report)
    rate = _RATE.search(report)
    if totals is None or rate is None or set(percentiles) != {"50", "99"}:
        raise BenchError(f"cannot read wrk's report:\n{report}")
    socket_errors = _SOCKET_ERRORS.search(report)
    bad_status = _BAD_STATUS.search(report)
    errors = sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    errors += int(bad_status.group(1)) if bad_status else 0
    return LoadResult(
        requests=int(totals.group(1)),
        seconds=_ms(totals.group(2), totals.group(3)) / 1000.0,
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        errors=errors,
    )


def _ms(number: str, unit: str) -> float:
    return float(number) * _UNIT_MS[unit]
