"""`python -m bench`: measure the service's public endpoints and the bare-Litestar ceiling.

The steps: a fresh database with the migrations and a seeded catalogue; `serang-app serve` in
production shape; the bytes `GET /v1/services` returns handed to a bare Litestar app served by
granian with the same worker count; then each endpoint warmed up and measured in turn, and the
table printed and written to var/bench/last.json. Both servers and the database are removed
whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import msgspec

from bench import WORK_FOLDER, BenchError
from bench.accounts import bench_resident
from bench.appointment_rows import measure_appointments
from bench.case_rows import measure_cases
from bench.complaint_rows import measure_complaints
from bench.database import bench_database, database_name
from bench.image_memory import MemoryFigures, measure_image_memory, memory_line
from bench.load import LoadGenerator, choose_generator
from bench.machine import OthersMeter, busy_share
from bench.measuring import RowContext, fetch, measure, say
from bench.options import Options, read_options
from bench.permit_rows import measure_permits
from bench.photo_load import complete_photos, make_photo
from bench.push_load import BACKLOG, RATE, PushFigures, measure_push_delivery
from bench.refresh_load import run_refresh_load
from bench.report import (
    CASES_ENDPOINT,
    CASES_P99_TARGET_MS,
    CEILING_ENDPOINT,
    NEARBY_ENDPOINT,
    NEARBY_P99_TARGET_MS,
    SERVICES_ENDPOINT,
    Row,
    Verdict,
    judge,
    median_row,
    render_table,
    rows_as_json,
    write_json,
)
from bench.search_rows import measure_search
from bench.seed import prepare_database, seed_module
from bench.servers import (
    RunningServer,
    bare_command,
    bare_environment,
    free_port,
    running_server,
    service_command,
    service_environment,
)
from bench.service_rows import measure_service_definition
from bench.stats_rows import measure_statistics
from serang_app.app import load_modules
from serang_app.module_system.discovery import ModuleError
from serang_app.module_system.spec import ModuleSpec
from serang_app.settings import Settings, SettingsError, load_settings

RESULT_FILE = WORK_FOLDER / "last.json"
# Above this share of the CPUs used by other processes, a row's figures are suspect.
BUSY_WARNING = 0.10


def main() -> int:
    # SIGTERM (from CI or `timeout`) unwinds like Ctrl-C does, so the servers and the database
    # are still removed.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        options = read_options(os.environ)
        generator = choose_generator(options)
        run(options, generator)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted; servers stopped and database dropped", file=sys.stderr)
        return 130
    return 0


def _exit_on_signal(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(options: Options, generator: LoadGenerator) -> None:
    busy_before = _announce(options, generator)
    # Each run keeps its files apart, so two runs at once (two developers, CI) do not collide.
    run_folder = WORK_FOLDER / "runs" / secrets.token_hex(4)
    run_folder.mkdir(parents=True)
    with ExitStack() as cleanup:
        started = _start_service(cleanup, options, run_folder)
        # BENCH_ONLY leaves the common rows out, and the ceiling server with them.
        common = (
            None
            if options.only
            else _common_rows(
                options,
                generator,
                cleanup,
                started.service,
                started.catalogue,
                started.database_url,
                started.environment,
                run_folder,
            )
        )
        meter = common.meter if common else OthersMeter([started.service.session], database_name(started.database_url))
        context = RowContext(
            cleanup=cleanup,
            options=options,
            generator=generator,
            meter=meter,
            service=started.service,
            database_url=started.database_url,
            environment=started.environment,
            run_folder=run_folder,
        )
        measured = _measure_rows(context, {spec.slug for spec in started.specs}, common)
    # Only a run that went well removes its folder: after a failure the servers' logs explain it.
    # (The access log alone is tens of megabytes per run.)
    shutil.rmtree(run_folder, ignore_errors=True)
    _print_summary(options, measured)
    write_json(RESULT_FILE, _result_document(options, generator, busy_before, started, measured))
    say(f"written to {RESULT_FILE}")


def _announce(options: Options, generator: LoadGenerator) -> float | None:
    """Print the machine and the load; the share of the CPUs busy before the run."""
    busy_before = busy_share()
    busy_text = "unknown" if busy_before is None else f"{busy_before:.0%}"
    say(
        f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}, "
        f"CPU busy before the run: {busy_text}"
    )
    if busy_before is not None and busy_before > BUSY_WARNING:
        # The servers and the load generator share these CPUs with whatever else is running.
        say("WARNING: the machine is busy; figures will be low and noisy")
    say(
        f"load: {generator.name}, {options.connections} connections, {options.threads} threads, "
        f"{options.warmup_seconds} s warm-up + {options.seconds} s per endpoint; the ceiling and "
        f"GET /v1/services alternate over {options.rounds} rounds"
    )
    if generator.name != "wrk":
        say("load: wrk is not installed; the Python generator costs more CPU, so expect lower figures")
    return busy_before


@dataclass(frozen=True, slots=True)
class StartedService:
    """The database and the service every row measures, with the catalogue it serves."""

    database_url: str
    environment: dict[str, str]
    settings: Settings
    specs: list[ModuleSpec]
    service: RunningServer
    catalogue: bytes
    catalogue_items: int


def _start_service(cleanup: ExitStack, options: Options, run_folder: Path) -> StartedService:
    """A fresh database, migrated and seeded, and `serang-app serve` on it, both stopped by `cleanup`."""
    database_url = cleanup.enter_context(bench_database(say))
    service_port = free_port()
    environment = service_environment(database_url, run_folder / "data", service_port)
    try:
        settings = load_settings(environment)
        specs = load_modules(settings)
    except (SettingsError, ModuleError) as error:
        raise BenchError(str(error)) from error
    module = seed_module(specs)
    seeded = asyncio.run(prepare_database(database_url, specs, module))
    say(
        f"service: serang-app serve, {options.workers} workers, SERANG_ENV=production, "
        f"access log {'on' if settings.access_log else 'off'}, rate limiter off, "
        f"catalogue cache {settings.catalogue_cache_seconds:g} s, "
        f"modules: {', '.join(spec.slug for spec in specs) or 'none'}"
    )
    service = cleanup.enter_context(
        running_server(
            "service",
            service_command(service_port, options.workers),
            environment,
            service_port,
            "/readyz",
            run_folder / "service.log",
        )
    )
    catalogue = fetch(service, "/v1/services")
    items = len(msgspec.json.decode(catalogue, type=dict[str, list[Any]]).get("items", []))
    say(
        f"catalogue: {seeded} services seeded under module {module!r}; GET /v1/services: {items} items, {len(catalogue)} bytes"
    )
    if items == 0:
        say(
            "WARNING: the catalogue is empty: no enabled module owns the seeded services "
            "(install examples/serang-example-module to measure a realistic body)"
        )
    return StartedService(database_url, environment, settings, list(specs), service, catalogue, items)


@dataclass(slots=True)
class MeasuredRows:
    """Everything a run measured, for the summary and the result file."""

    rows: list[Row]
    verdicts: list[Verdict]
    common: CommonRows | None
    push_figures: list[PushFigures]
    image_figures: list[MemoryFigures] = field(default_factory=list)
    stats_line: str | None = None


def _measure_rows(context: RowContext, modules: set[str], common: CommonRows | None) -> MeasuredRows:
    """The row groups after the common ones, each when the run measures it (BENCH_ONLY, its size
    knob) and, for a module's rows, when the module is enabled."""
    options = context.options
    measured = MeasuredRows(
        rows=list(common.rows) if common else [],
        verdicts=[common.verdict] if common else [],
        common=common,
        push_figures=common.push_figures if common else [],
    )
    if options.runs("image_memory", options.image_residents):
        image_rows, measured.image_figures = measure_image_memory(context, options.image_residents)
        measured.rows += image_rows
    judged_groups = (
        ("cases", options.cases, None, measure_cases),
        ("complaints", options.complaints, "complaints", measure_complaints),
        ("permits", options.permits, "permits", measure_permits),
        ("appointments", options.appointment_residents, "appointments", measure_appointments),
        ("services", options.services, "permits", measure_service_definition),
    )
    for group, count, module, measure_group in judged_groups:
        if options.runs(group, count) and (module is None or module in modules):
            group_rows, verdict = measure_group(context)
            measured.rows += group_rows
            measured.verdicts.append(verdict)
    if options.runs("stats", options.stats_cases):
        stats_rows, public_verdict, measured.stats_line = measure_statistics(context)
        measured.rows += stats_rows
        measured.verdicts.append(public_verdict)
    if options.runs("search", options.search_complaints):
        measured.rows += measure_search(context)
    return measured


def _print_summary(options: Options, measured: MeasuredRows) -> None:
    """The table, then a line per verdict and target, then the warnings about the figures."""
    rows = measured.rows
    say("")
    say(render_table(rows, measured.verdicts))
    say("")
    for judged in measured.verdicts:
        say(
            f"{judged.endpoint} holds {judged.ratio:.0%} of its bare ceiling "
            f"(median of {len(judged.round_ratios)} alternating rounds: "
            f"{', '.join(f'{ratio:.0%}' for ratio in judged.round_ratios)}; "
            f"target {judged.target:.0%}): {'PASS' if judged.passed else 'FAIL'}"
        )
    for figures in measured.push_figures:
        say(
            f"push delivery, {figures.workers} worker(s): a backlog of {BACKLOG:,} drained at "
            f"{figures.drained_per_second:,.0f}/s; at {RATE} changes/s, commit to FCM p50 "
            f"{figures.delay_p50_s:.2f} s, p99 {figures.delay_p99_s:.2f} s, {figures.within_10_s:.1%} within 10 s "
            f"(target 95 %): {'PASS' if figures.within_10_s >= 0.95 else 'FAIL'}"
        )
    if measured.stats_line is not None:
        say(measured.stats_line)
    for memory in measured.image_figures:
        say(memory_line(memory))
    _print_p99_targets(options, rows)
    disturbed = [row.endpoint for row in rows if row.others_cpu is not None and row.others_cpu > BUSY_WARNING]
    if disturbed:
        say(
            f"WARNING: other processes took over {BUSY_WARNING:.0%} of the CPUs while measuring: {', '.join(disturbed)}"
        )
    if any(row.result.errors for row in rows):
        say("WARNING: some requests failed (see the errors column); those rows do not measure success")


def _print_p99_targets(options: Options, rows: list[Row]) -> None:
    """The rows judged by their p99 alone: the cases list and nearby complaints."""
    cases_row = next((row for row in rows if row.endpoint == CASES_ENDPOINT), None)
    if cases_row is not None:
        p99 = cases_row.result.p99_ms
        say(
            f"{CASES_ENDPOINT} p99 {p99:.1f} ms at {options.case_connections} connections "
            f"(target under {CASES_P99_TARGET_MS:.0f} ms): {'PASS' if p99 < CASES_P99_TARGET_MS else 'FAIL'}"
        )
    nearby_row = next((row for row in rows if row.endpoint == NEARBY_ENDPOINT), None)
    if nearby_row is not None:
        p99 = nearby_row.result.p99_ms
        say(
            f"{NEARBY_ENDPOINT} over {options.complaints:,} complaints: p99 {p99:.1f} ms at "
            f"{options.case_connections} connections (target under {NEARBY_P99_TARGET_MS:.0f} ms): "
            f"{'PASS' if p99 < NEARBY_P99_TARGET_MS else 'FAIL'}"
        )


def _result_document(
    options: Options,
    generator: LoadGenerator,
    busy_before: float | None,
    started: StartedService,
    measured: MeasuredRows,
) -> dict[str, Any]:
    """What var/bench/last.json holds: the run's conditions, every row and every verdict."""
    common = measured.common
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_busy_before": None if busy_before is None else round(busy_before, 3),
        },
        "generator": generator.name,
        "options": {
            "seconds": options.seconds,
            "warmup_seconds": options.warmup_seconds,
            "workers": options.workers,
            "connections": options.connections,
            "threads": options.threads,
            "rounds": options.rounds,
        },
        "service": {
            "access_log": started.settings.access_log,
            "rate_limit_per_minute": 0,
            "catalogue_cache_seconds": started.settings.catalogue_cache_seconds,
            "modules": [spec.slug for spec in started.specs],
            "catalogue_items": started.catalogue_items,
        },
        "rows": rows_as_json(measured.rows),
        "services_to_ceiling": None
        if common is None
        else {
            "ratio": common.verdict.ratio,
            "rounds": [
                {"ceiling": ceiling.result.requests_per_second, "services": services.result.requests_per_second}
                for ceiling, services in zip(common.ceiling_rounds, common.services_rounds, strict=True)
            ],
            "round_ratios": list(common.verdict.round_ratios),
            "target": common.verdict.target,
            "passed": common.verdict.passed,
        },
        "image_memory": [asdict(figures) for figures in measured.image_figures],
        "push_delivery": [asdict(figures) for figures in measured.push_figures],
        "verdicts": [
            {
                "endpoint": judged.endpoint,
                "ratio": judged.ratio,
                "rounds": list(judged.round_ratios),
                "passed": judged.passed,
            }
            for judged in measured.verdicts
        ],
    }


@dataclass(frozen=True, slots=True)
class CommonRows:
    """What every full run measures first: the catalogue against its ceiling, the requests around
    it, signing in, photos, push delivery."""

    rows: list[Row]
    verdict: Verdict
    ceiling_rounds: list[Row]
    services_rounds: list[Row]
    push_figures: list[PushFigures]
    meter: OthersMeter


def _common_rows(
    options: Options,
    generator: LoadGenerator,
    cleanup: ExitStack,
    service: RunningServer,
    catalogue: bytes,
    database_url: str,
    environment: dict[str, str],
    run_folder: Path,
) -> CommonRows:
    body_file = run_folder / "services-body.json"
    body_file.write_bytes(catalogue)
    bare_port = free_port()
    bare = cleanup.enter_context(
        running_server(
            "bare",
            bare_command(bare_port, options.workers),
            bare_environment(body_file),
            bare_port,
            "/v1/services",
            run_folder / "bare.log",
        )
    )
    if fetch(bare, "/v1/services") != catalogue:
        raise BenchError("the bare app does not return the catalogue's bytes")
    meter = OthersMeter([service.session, bare.session], database_name(database_url))
    # The verdict's pair alternates, the ceiling right before the catalogue in each round, so
    # that drift on the machine falls on both (report.judge takes the median round).
    ceiling_rounds: list[Row] = []
    services_rounds: list[Row] = []
    for _ in range(options.rounds):
        ceiling_rounds.append(measure(generator, options, meter, CEILING_ENDPOINT, bare, "/v1/services"))
        services_rounds.append(measure(generator, options, meter, SERVICES_ENDPOINT, service, "/v1/services"))
    verdict = judge([row.result for row in ceiling_rounds], [row.result for row in services_rounds])
    rows = [median_row(ceiling_rounds), median_row(services_rounds)]
    targets = [
        ("GET /v1/regions?parent=36.04", service, "/v1/regions?parent=36.04"),
        ("GET /healthz", service, "/healthz"),
        ("GET /readyz", service, "/readyz"),
    ]
    rows += [measure(generator, options, meter, endpoint, server, path) for endpoint, server, path in targets]
    # Authentication's cost: the same kind of request with a bearer token (verified, and the
    # account loaded from the database, on every request) next to /healthz and /readyz above.
    resident = asyncio.run(bench_resident(database_url, environment["SERANG_JWT_KEYS"], options.connections))
    bearer = {"Authorization": f"Bearer {resident.access_token}"}
    rows.append(measure(generator, options, meter, "GET /v1/me (signed in)", service, "/v1/me", bearer))
    say("measuring POST /v1/auth/refresh (token chains, Python generator) ...")
    meter.start()
    refresh = run_refresh_load(service.port, resident.refresh_tokens, options.seconds)
    rows.append(Row(endpoint="POST /v1/auth/refresh (chained)", body_bytes=0, result=refresh, others_cpu=meter.stop()))
    rows += _measure_photos(options, generator, meter, service, resident.access_token, rows[1])
    push_figures = [
        measure_push_delivery(database_url, environment, run_folder, options.seconds, workers) for workers in (1, 2)
    ]
    return CommonRows(rows, verdict, ceiling_rounds, services_rounds, push_figures, meter)


def _measure_photos(
    options: Options,
    generator: LoadGenerator,
    meter: OthersMeter,
    service: RunningServer,
    access_token: str,
    services_alone: Row,
) -> list[Row]:
    """Photos completed one after another while wrk loads GET /v1/services, in the same window."""
    photo = make_photo()
    say(f"measuring photo completion (4000x3000 JPEG, {len(photo):,} bytes) while GET /v1/services is under load ...")
    meter.start()
    with ThreadPoolExecutor(max_workers=1) as pool:
        loaded = pool.submit(generator.run, service.url("/v1/services"), options.seconds, None)
        photos = complete_photos(service.url(""), access_token, photo, options.seconds)
        during = loaded.result()
    others = meter.stop()
    say(
        f"photos: {photos.requests} completed, {photos.p50_ms:.0f} ms each (p50), {photos.p99_ms:.0f} ms (p99); "
        f"GET /v1/services p99 {services_alone.result.p99_ms:.1f} ms alone, {during.p99_ms:.1f} ms meanwhile"
    )
    return [
        Row(
            endpoint="GET /v1/services while photos complete",
            body_bytes=services_alone.body_bytes,
            result=during,
            others_cpu=others,
        ),
        Row(
            endpoint="complete a 4000x3000 JPEG (one at a time)",
            body_bytes=len(photo),
            result=photos,
            others_cpu=others,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
