"""What residents can make a web process hold: many large pictures completed at once.

The outside review's attack: residents each start ten uploads (the pending limit) of a 114 KiB PNG
of 6320x6320 pixels and complete all of them at once. Ten residents do it together here, first
with that picture, then with the largest one the pixel limits accept (4096x4096 with
transparency, decoded whole). Meanwhile the memory (RSS) of every web worker and of every process
under it (the checking processes, uploads/check_pool.py) is sampled every 10 ms; before, the
baseline; after, what the workers settle at.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx
import psutil
from PIL import Image

from bench.load import result_from
from bench.measuring import RowContext, say
from bench.report import Row
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys

MEBIBYTE = 1024 * 1024
UPLOADS_PER_RESIDENT = 10  # the default SERANG_MAX_PENDING_UPLOADS
# The bound the review asked for: a web worker with its checking processes, at their peak.
PEAK_BOUND_MIB = 600
SAMPLE_SECONDS = 0.01
SETTLE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Attack:
    label: str
    picture: bytes
    expected_status: int


@dataclass(slots=True)
class MemoryFigures:
    label: str
    completions: int
    answers: dict[int, int]
    seconds: float
    worker_baseline_mib: float  # the largest web worker before
    worker_peak_mib: float  # the largest web worker at any sample
    worker_settled_mib: float  # the largest web worker SETTLE_SECONDS after the last answer
    child_peak_mib: float  # RSS of the largest single process under a worker
    children_peak_mib: float  # PSS of all processes under one worker together, at their largest
    most_children: int  # checking processes (and their fork server) alive at once under one worker
    total_peak_mib: float  # a worker's RSS and the PSS of everything under it, at their largest together
    passed: bool = field(default=False)


def attacks() -> list[Attack]:
    return [
        Attack("6320x6320 PNG (39.9 MP, the review's)", _flat_png(6320, 6320, "RGB"), 422),
        Attack("4096x4096 PNG with alpha (the largest accepted)", _flat_png(4096, 4096, "RGBA"), 200),
    ]


def measure_image_memory(run: RowContext, residents: int) -> tuple[list[Row], list[MemoryFigures]]:
    tokens = asyncio.run(_resident_tokens(run.database_url, run.environment["SERANG_JWT_KEYS"], residents))
    rows: list[Row] = []
    figures: list[MemoryFigures] = []
    for attack in attacks():
        say(
            f"measuring memory: {residents} residents each complete {UPLOADS_PER_RESIDENT} x "
            f"{attack.label} ({len(attack.picture):,} bytes) at once ..."
        )
        sampler = _Sampler(run.service.session)
        baseline = sampler.workers_now()
        sampler.start()
        run.meter.start()
        latencies, statuses, seconds = asyncio.run(_complete_at_once(run.service.url(""), tokens, attack.picture))
        others = run.meter.stop()
        time.sleep(SETTLE_SECONDS)
        sampler.stop()
        settled = sampler.workers_now()
        errors = sum(count for status, count in statuses.items() if status != attack.expected_status)
        figure = MemoryFigures(
            label=attack.label,
            completions=len(latencies),
            answers=dict(statuses),
            seconds=seconds,
            worker_baseline_mib=max(baseline.values(), default=0) / MEBIBYTE,
            worker_peak_mib=sampler.worker_peak / MEBIBYTE,
            worker_settled_mib=max(settled.values(), default=0) / MEBIBYTE,
            child_peak_mib=sampler.child_peak / MEBIBYTE,
            children_peak_mib=sampler.children_peak / MEBIBYTE,
            most_children=sampler.most_children,
            total_peak_mib=sampler.total_peak / MEBIBYTE,
        )
        figure.passed = figure.total_peak_mib <= PEAK_BOUND_MIB and errors == 0
        figures.append(figure)
        say(memory_line(figure))
        rows.append(
            Row(
                endpoint=f"complete {len(latencies)} x {attack.label}, all at once",
                body_bytes=len(attack.picture),
                result=result_from(latencies, seconds, errors),
                others_cpu=others,
            )
        )
    return rows, figures


def memory_line(figure: MemoryFigures) -> str:
    answers = ", ".join(f"{count} x {status}" for status, count in sorted(figure.answers.items()))
    return (
        f"memory, {figure.label}: {figure.completions} completions answered in {figure.seconds:.1f} s ({answers}); "
        f"web worker RSS {figure.worker_baseline_mib:.0f} MiB before, peak {figure.worker_peak_mib:.0f} MiB, "
        f"{figure.worker_settled_mib:.0f} MiB {SETTLE_SECONDS:.0f} s after; processes under a worker: "
        f"largest RSS {figure.child_peak_mib:.0f} MiB, at most {figure.most_children} at once, "
        f"together PSS {figure.children_peak_mib:.0f} MiB; worker RSS and their PSS together peak "
        f"{figure.total_peak_mib:.0f} MiB (bound {PEAK_BOUND_MIB} MiB): {'PASS' if figure.passed else 'FAIL'}"
    )


def _flat_png(width: int, height: int, mode: str) -> bytes:
    """One colour: a few hundred kilobytes at most, however many pixels it claims and decodes to."""
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 40, 40, 128)[: len(mode)]).save(out, format="PNG")
    return out.getvalue()


async def _resident_tokens(dsn: str, jwt_keys: str, count: int) -> list[str]:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        ids = [
            await connection.fetchval(
                "INSERT INTO residents (phone, name) VALUES ($1, 'Bench Resident') RETURNING id",
                f"+62811000{index:05d}",
            )
            for index in range(count)
        ]
    finally:
        await connection.close()
    tokens = AccessTokens(parse_jwt_keys(jwt_keys), 3600)
    return [tokens.issue(AccessSubject(kind="resident", id=resident_id)) for resident_id in ids]


async def _complete_at_once(
    base_url: str, tokens: list[str], picture: bytes
) -> tuple[list[float], Counter[int], float]:
    """Each resident starts and sends their uploads; then every completion is sent at once."""
    limits = httpx.Limits(max_connections=len(tokens) * UPLOADS_PER_RESIDENT + 10)
    async with httpx.AsyncClient(base_url=base_url, timeout=600, limits=limits, trust_env=False) as http:
        started = await asyncio.gather(*(_start_and_send(http, token, picture) for token in tokens))
        latencies: list[float] = []
        statuses: Counter[int] = Counter()

        async def complete(token: str, upload_id: str) -> None:
            before = time.perf_counter()
            answer = await http.post(f"/v1/uploads/{upload_id}/complete", headers={"Authorization": f"Bearer {token}"})
            latencies.append(time.perf_counter() - before)
            statuses[answer.status_code] += 1

        began = time.perf_counter()
        await asyncio.gather(*(complete(token, upload_id) for token, ids in started for upload_id in ids))
        return latencies, statuses, time.perf_counter() - began


async def _start_and_send(http: httpx.AsyncClient, token: str, picture: bytes) -> tuple[str, list[str]]:
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    for _ in range(UPLOADS_PER_RESIDENT):
        started = await http.post(
            "/v1/uploads",
            json={"purpose": "complaint_photo", "content_type": "image/png", "size": len(picture)},
            headers=headers,
        )
        started.raise_for_status()
        form = started.json()["upload"]
        (await http.put(form["url"], content=picture, headers=form["headers"])).raise_for_status()
        ids.append(started.json()["id"])
    return token, ids


class _Sampler:
    """The web workers' RSS (they are the children of the server's first process) and the memory of
    every process under each of them, every SAMPLE_SECONDS, in a thread of its own."""

    def __init__(self, session: int) -> None:
        self._leader = psutil.Process(session)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.worker_peak = 0
        self.child_peak = 0
        self.children_peak = 0
        self.total_peak = 0
        self.most_children = 0

    def workers_now(self) -> dict[int, int]:
        return {worker.pid: _rss(worker) for worker in self._workers()}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _workers(self) -> list[psutil.Process]:
        return [child for child in self._leader.children() if "resource_tracker" not in " ".join(_cmdline(child))]

    def _run(self) -> None:
        while not self._stopping.is_set():
            for worker in self._workers():
                own = _rss(worker)
                under = [_memory(child) for child in _descendants(worker)]
                shared_out = sum(pss for _, pss in under)
                self.worker_peak = max(self.worker_peak, own)
                self.child_peak = max([self.child_peak, *(rss for rss, _ in under)])
                self.children_peak = max(self.children_peak, shared_out)
                self.total_peak = max(self.total_peak, own + shared_out)
                self.most_children = max(self.most_children, len(under))
            time.sleep(SAMPLE_SECONDS)


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0  # it ended between the listing and the look


def _memory(process: psutil.Process) -> tuple[int, int]:
    """RSS and PSS: checking processes are forks of their fork server and share most of its pages,
    which each one's RSS counts again; PSS divides every shared page among its sharers, so the
    PSS of them all adds up to what they really take together."""
    try:
        full = process.memory_full_info()
    except psutil.Error:
        return 0, 0
    return int(full.rss), int(full.pss)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []
