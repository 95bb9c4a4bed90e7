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
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import msgspec

from bench import WORK_FOLDER, BenchError
from bench.accounts import bench_resident
from bench.appointment_load import run_booking_load
from bench.appointments import BookingPhase, prepare_appointments
from bench.bare_appointments_app import DATABASE_VARIABLE as APPOINTMENTS_DATABASE_VARIABLE
from bench.bare_appointments_app import RESIDENT_HEADER
from bench.bare_cases_app import DATABASE_VARIABLE as CASES_DATABASE_VARIABLE
from bench.bare_cases_app import RESIDENT_VARIABLE as CASES_RESIDENT_VARIABLE
from bench.bare_complaints_app import DATABASE_VARIABLE as COMPLAINTS_DATABASE_VARIABLE
from bench.bare_complaints_app import RESIDENT_VARIABLE as COMPLAINTS_RESIDENT_VARIABLE
from bench.bare_permits_app import DATABASE_VARIABLE as PERMITS_DATABASE_VARIABLE
from bench.cases import seed_cases
from bench.complaint_load import run_complaint_load
from bench.complaints import NEARBY_POINT, reporter_ids, seed_complaints
from bench.database import bench_database, database_name
from bench.load import LoadGenerator, LoadResult, choose_generator
from bench.machine import OthersMeter, busy_share
from bench.options import Options, read_options
from bench.permits import seed_permits
from bench.photo_load import complete_photos, make_photo
from bench.probe import get
from bench.push_load import BACKLOG, RATE, measure_push_delivery
from bench.refresh_load import run_refresh_load
from bench.report import (
    BOOKING_CEILING_ENDPOINT,
    BOOKING_ENDPOINT,
    CASES_CEILING_ENDPOINT,
    CASES_ENDPOINT,
    CASES_P99_TARGET_MS,
    CASES_TARGET_RATIO,
    CEILING_ENDPOINT,
    FILING_CEILING_ENDPOINT,
    FILING_ENDPOINT,
    NEARBY_CEILING_ENDPOINT,
    NEARBY_ENDPOINT,
    NEARBY_P99_TARGET_MS,
    NEARBY_TARGET_RATIO,
    SERVICES_ENDPOINT,
    SLOTS_CEILING_ENDPOINT,
    SLOTS_ENDPOINT,
    SLOTS_TARGET_RATIO,
    VERIFY_CEILING_ENDPOINT,
    VERIFY_ENDPOINT,
    VERIFY_TARGET_RATIO,
    Row,
    Verdict,
    judge,
    median_row,
    render_table,
    rows_as_json,
    write_json,
)
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
from serang_app.app import load_modules
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys
from serang_app.module_system.discovery import ModuleError
from serang_app.settings import SettingsError, load_settings

RESULT_FILE = WORK_FOLDER / "last.json"
# Above this share of the CPUs used by other processes, a row's figures are suspect.
BUSY_WARNING = 0.10


def say(line: str) -> None:
    print(line, flush=True)


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
    # Each run keeps its files apart, so two runs at once (two developers, CI) do not collide.
    run_folder = WORK_FOLDER / "runs" / secrets.token_hex(4)
    run_folder.mkdir(parents=True)
    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(bench_database(say))
        environment = service_environment(database_url, run_folder / "data")
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
        service_port = free_port()
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
        catalogue = _fetch(service, "/v1/services")
        items = len(msgspec.json.decode(catalogue, type=dict[str, list[Any]]).get("items", []))
        say(
            f"catalogue: {seeded} services seeded under module {module!r}; GET /v1/services: {items} items, {len(catalogue)} bytes"
        )
        if items == 0:
            say(
                "WARNING: the catalogue is empty: no enabled module owns the seeded services "
                "(install examples/serang-example-module to measure a realistic body)"
            )
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
        if _fetch(bare, "/v1/services") != catalogue:
            raise BenchError("the bare app does not return the catalogue's bytes")
        meter = OthersMeter([service.session, bare.session], database_name(database_url))
        # The verdict's pair alternates, the ceiling right before the catalogue in each round, so
        # that drift on the machine falls on both (report.judge takes the median round).
        ceiling_rounds: list[Row] = []
        services_rounds: list[Row] = []
        for _ in range(options.rounds):
            ceiling_rounds.append(_measure(generator, options, meter, CEILING_ENDPOINT, bare, "/v1/services"))
            services_rounds.append(_measure(generator, options, meter, SERVICES_ENDPOINT, service, "/v1/services"))
        verdict = judge([row.result for row in ceiling_rounds], [row.result for row in services_rounds])
        rows = [median_row(ceiling_rounds), median_row(services_rounds)]
        targets = [
            ("GET /v1/regions?parent=36.04", service, "/v1/regions?parent=36.04"),
            ("GET /healthz", service, "/healthz"),
            ("GET /readyz", service, "/readyz"),
        ]
        rows += [_measure(generator, options, meter, endpoint, server, path) for endpoint, server, path in targets]
        # Authentication's cost: the same kind of request with a bearer token (verified, and the
        # account loaded from the database, on every request) next to /healthz and /readyz above.
        resident = asyncio.run(bench_resident(database_url, environment["SERANG_JWT_KEYS"], options.connections))
        bearer = {"Authorization": f"Bearer {resident.access_token}"}
        rows.append(_measure(generator, options, meter, "GET /v1/me (signed in)", service, "/v1/me", bearer))
        say("measuring POST /v1/auth/refresh (token chains, Python generator) ...")
        meter.start()
        refresh = run_refresh_load(service.port, resident.refresh_tokens, options.seconds)
        rows.append(
            Row(endpoint="POST /v1/auth/refresh (chained)", body_bytes=0, result=refresh, others_cpu=meter.stop())
        )
        rows += _measure_photos(options, generator, meter, service, resident.access_token, rows[1])
        verdicts = [verdict]
        push_figures = [
            measure_push_delivery(database_url, environment, run_folder, options.seconds, workers) for workers in (1, 2)
        ]
        if options.cases:
            case_rows, case_verdict = _measure_cases(
                cleanup, options, generator, meter, service, database_url, environment, run_folder
            )
            rows += case_rows
            verdicts.append(case_verdict)
        if options.complaints and "complaints" in {spec.slug for spec in specs}:
            complaint_rows, nearby_verdict = _measure_complaints(
                cleanup, options, meter, service, database_url, environment, run_folder
            )
            rows += complaint_rows
            verdicts.append(nearby_verdict)
        if options.permits and "permits" in {spec.slug for spec in specs}:
            permit_rows, verify_verdict = _measure_permits(
                cleanup, options, generator, meter, service, database_url, run_folder
            )
            rows += permit_rows
            verdicts.append(verify_verdict)
        if options.appointment_residents and "appointments" in {spec.slug for spec in specs}:
            appointment_rows, slots_verdict = _measure_appointments(
                cleanup, options, generator, meter, service, database_url, environment, run_folder
            )
            rows += appointment_rows
            verdicts.append(slots_verdict)
    # Only a run that went well removes its folder: after a failure the servers' logs explain it.
    # (The access log alone is tens of megabytes per run.)
    shutil.rmtree(run_folder, ignore_errors=True)
    say("")
    say(render_table(rows, verdicts))
    say("")
    for judged in verdicts:
        say(
            f"{judged.endpoint} holds {judged.ratio:.0%} of its bare ceiling "
            f"(median of {len(judged.round_ratios)} alternating rounds: "
            f"{', '.join(f'{ratio:.0%}' for ratio in judged.round_ratios)}; "
            f"target {judged.target:.0%}): {'PASS' if judged.passed else 'FAIL'}"
        )
    for figures in push_figures:
        say(
            f"push delivery, {figures.workers} worker(s): a backlog of {BACKLOG:,} drained at "
            f"{figures.drained_per_second:,.0f}/s; at {RATE} changes/s, commit to FCM p50 "
            f"{figures.delay_p50_s:.2f} s, p99 {figures.delay_p99_s:.2f} s, {figures.within_10_s:.1%} within 10 s "
            f"(target 95 %): {'PASS' if figures.within_10_s >= 0.95 else 'FAIL'}"
        )
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
    disturbed = [row.endpoint for row in rows if row.others_cpu is not None and row.others_cpu > BUSY_WARNING]
    if disturbed:
        say(
            f"WARNING: other processes took over {BUSY_WARNING:.0%} of the CPUs while measuring: {', '.join(disturbed)}"
        )
    if any(row.result.errors for row in rows):
        say("WARNING: some requests failed (see the errors column); those rows do not measure success")
    write_json(
        RESULT_FILE,
        {
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
                "access_log": settings.access_log,
                "rate_limit_per_minute": 0,
                "catalogue_cache_seconds": settings.catalogue_cache_seconds,
                "modules": [spec.slug for spec in specs],
                "catalogue_items": items,
            },
            "rows": rows_as_json(rows),
            "services_to_ceiling": {
                "ratio": verdict.ratio,
                "rounds": [
                    {"ceiling": ceiling.result.requests_per_second, "services": services.result.requests_per_second}
                    for ceiling, services in zip(ceiling_rounds, services_rounds, strict=True)
                ],
                "round_ratios": list(verdict.round_ratios),
                "target": verdict.target,
                "passed": verdict.passed,
            },
            "push_delivery": [asdict(figures) for figures in push_figures],
            "verdicts": [
                {
                    "endpoint": judged.endpoint,
                    "ratio": judged.ratio,
                    "rounds": list(judged.round_ratios),
                    "passed": judged.passed,
                }
                for judged in verdicts
            ],
        },
    )
    say(f"written to {RESULT_FILE}")


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


def _measure_cases(
    cleanup: ExitStack,
    options: Options,
    generator: LoadGenerator,
    meter: OthersMeter,
    service: RunningServer,
    database_url: str,
    environment: dict[str, str],
    run_folder: Path,
) -> tuple[list[Row], Verdict]:
    """GET /v1/me/cases of a resident with 200 cases in a database of a million, against a bare
    Litestar + asyncpg app running the same query, alternating, at the issue's 32 connections."""
    service_code, opd_code, module = asyncio.run(_a_catalogue_service(database_url))
    say(f"seeding {options.cases:,} cases over {options.case_residents:,} residents ...")
    resident_id, took = asyncio.run(
        seed_cases(
            database_url,
            module=module,
            service_code=service_code,
            opd_code=opd_code,
            cases=options.cases,
            residents=options.case_residents,
        )
    )
    say(f"seeded in {took:.0f} s")
    token = AccessTokens(parse_jwt_keys(environment["SERANG_JWT_KEYS"]), 3600).issue(
        AccessSubject(kind="resident", id=resident_id)
    )
    bearer = {"Authorization": f"Bearer {token}"}
    port = free_port()
    bare = cleanup.enter_context(
        running_server(
            "bare-cases",
            bare_command(port, options.workers, "bench.bare_cases_app:create"),
            bare_environment(
                variables={CASES_DATABASE_VARIABLE: database_url, CASES_RESIDENT_VARIABLE: str(resident_id)}
            ),
            port,
            "/v1/me/cases",
            run_folder / "bare-cases.log",
        )
    )
    meter.add_session(bare.session)
    page = msgspec.json.decode(_fetch(service, "/v1/me/cases", bearer))
    if len(page["items"]) != 20 or len(msgspec.json.decode(_fetch(bare, "/v1/me/cases"))["items"]) != 20:
        raise BenchError("a first page of /v1/me/cases should hold 20 cases")
    at_32 = choose_generator(options, options.case_connections)
    return _alternate(
        at_32,
        options,
        meter,
        (CASES_CEILING_ENDPOINT, bare, "/v1/me/cases", None),
        (CASES_ENDPOINT, service, "/v1/me/cases", bearer),
        CASES_TARGET_RATIO,
    )


def _measure_complaints(
    cleanup: ExitStack,
    options: Options,
    meter: OthersMeter,
    service: RunningServer,
    database_url: str,
    environment: dict[str, str],
    run_folder: Path,
) -> tuple[list[Row], Verdict]:
    """Nearby search over a million complaints and filing with idempotency keys, each against a
    bare Litestar + asyncpg app doing the same database work, at the issue's 32 connections."""
    say(f"seeding {options.complaints:,} complaints over the regency ...")
    took = asyncio.run(seed_complaints(database_url, options.complaints))
    say(f"seeded in {took:.0f} s")
    reporters = asyncio.run(reporter_ids(database_url, options.case_connections))
    port = free_port()
    bare = cleanup.enter_context(
        running_server(
            "bare-complaints",
            bare_command(port, options.workers, "bench.bare_complaints_app:create"),
            bare_environment(
                variables={COMPLAINTS_DATABASE_VARIABLE: database_url, COMPLAINTS_RESIDENT_VARIABLE: reporters[0]}
            ),
            port,
            "/v1/complaints/nearby?lat=-6.1&lon=106.1",
            run_folder / "bare-complaints.log",
        )
    )
    meter.add_session(bare.session)
    latitude, longitude = NEARBY_POINT
    path = f"/v1/complaints/nearby?lat={latitude:.5f}&lon={longitude:.5f}"
    found = len(msgspec.json.decode(_fetch(service, path))["items"])
    if found == 0 or found != len(msgspec.json.decode(_fetch(bare, path))["items"]):
        raise BenchError(f"nearby search should find the same complaints in both apps (service: {found})")
    say(f"nearby: {found} open public complaints within 250 m of the measured point")
    at_32 = choose_generator(options, options.case_connections)
    rows, verdict = _alternate(
        at_32,
        options,
        meter,
        (NEARBY_CEILING_ENDPOINT, bare, path, None),
        (NEARBY_ENDPOINT, service, path, None),
        NEARBY_TARGET_RATIO,
    )
    issuer = AccessTokens(parse_jwt_keys(environment["SERANG_JWT_KEYS"]), 3600)
    tokens: list[str | None] = [
        issuer.issue(AccessSubject(kind="resident", id=uuid.UUID(reporter))) for reporter in reporters
    ]
    anonymous: list[str | None] = [None] * len(tokens)
    for endpoint, server, auth in ((FILING_CEILING_ENDPOINT, bare, anonymous), (FILING_ENDPOINT, service, tokens)):
        say(f"measuring {endpoint} (Python generator, {len(auth)} connections) ...")
        run_complaint_load(server.port, auth, options.warmup_seconds)
        meter.start()
        result = run_complaint_load(server.port, auth, options.seconds)
        rows.append(Row(endpoint=endpoint, body_bytes=0, result=result, others_cpu=meter.stop()))
    return rows, verdict


def _measure_permits(
    cleanup: ExitStack,
    options: Options,
    generator: LoadGenerator,
    meter: OthersMeter,
    service: RunningServer,
    database_url: str,
    run_folder: Path,
) -> tuple[list[Row], Verdict]:
    """The public permit check by its code among many issued permits, against a bare Litestar +
    asyncpg app running the same query, alternating rounds at the run's connections."""
    say(f"seeding {options.permits:,} issued permits ...")
    code, took = asyncio.run(seed_permits(database_url, options.permits))
    say(f"seeded in {took:.0f} s")
    path = f"/v1/permits/verify/{code}"
    port = free_port()
    bare = cleanup.enter_context(
        running_server(
            "bare-permits",
            bare_command(port, options.workers, "bench.bare_permits_app:create"),
            bare_environment(variables={PERMITS_DATABASE_VARIABLE: database_url}),
            port,
            path,
            run_folder / "bare-permits.log",
        )
    )
    meter.add_session(bare.session)
    answers = [msgspec.json.decode(_fetch(server, path)) for server in (service, bare)]
    if answers[0] != answers[1] or answers[0]["status"] != "valid":
        raise BenchError(f"both apps should find the same valid permit: {answers}")
    return _alternate(
        generator,
        options,
        meter,
        (VERIFY_CEILING_ENDPOINT, bare, path, None),
        (VERIFY_ENDPOINT, service, path, None),
        VERIFY_TARGET_RATIO,
    )


def _measure_appointments(
    cleanup: ExitStack,
    options: Options,
    generator: LoadGenerator,
    meter: OthersMeter,
    service: RunningServer,
    database_url: str,
    environment: dict[str, str],
    run_folder: Path,
) -> tuple[list[Row], Verdict]:
    """14 days of slots at one place, alternating with a bare app running the module's own
    availability code; then bookings racing for the same 16 slots from 32 connections, each
    request a new resident, against the bare app's same writes."""
    say(f"preparing the appointments rows ({options.appointment_residents:,} residents per booking phase) ...")
    setup = asyncio.run(prepare_appointments(database_url, options.appointment_residents))
    say(f"prepared in {setup.seconds:.0f} s")
    port = free_port()
    bare = cleanup.enter_context(
        running_server(
            "bare-appointments",
            bare_command(port, options.workers, "bench.bare_appointments_app:create"),
            bare_environment(variables={APPOINTMENTS_DATABASE_VARIABLE: database_url}),
            port,
            setup.slots_path,
            run_folder / "bare-appointments.log",
        )
    )
    meter.add_session(bare.session)
    answers = [msgspec.json.decode(_fetch(server, setup.slots_path)) for server in (service, bare)]
    if answers[0] != answers[1] or not answers[0]["items"]:
        raise BenchError("both apps should offer the same slots")
    say(f"slots: {len(answers[0]['items'])} slots over the 14 days")
    rows, verdict = _alternate(
        generator,
        options,
        meter,
        (SLOTS_CEILING_ENDPOINT, bare, setup.slots_path, None),
        (SLOTS_ENDPOINT, service, setup.slots_path, None),
        SLOTS_TARGET_RATIO,
    )
    issuer = AccessTokens(parse_jwt_keys(environment["SERANG_JWT_KEYS"]), 3600)
    for endpoint, server, (warm_up, measured) in (
        (BOOKING_CEILING_ENDPOINT, bare, setup.bare),
        (BOOKING_ENDPOINT, service, setup.service),
    ):
        identities = _identities(issuer, server is bare, [warm_up, measured])
        say(f"measuring {endpoint} (Python generator, {options.case_connections} connections) ...")
        run_booking_load(
            server.port,
            warm_up.place,
            warm_up.slot_starts,
            warm_up.residents,
            identities.__getitem__,
            options.case_connections,
            options.warmup_seconds,
        )
        meter.start()
        result = run_booking_load(
            server.port,
            measured.place,
            measured.slot_starts,
            measured.residents,
            identities.__getitem__,
            options.case_connections,
            options.seconds,
        )
        rows.append(Row(endpoint=endpoint, body_bytes=0, result=result, others_cpu=meter.stop()))
    return rows, verdict


def _identities(issuer: AccessTokens, bare: bool, phases: list[BookingPhase]) -> dict[str, dict[str, str]]:
    """Each resident's headers, made before the load so the generator only sends them."""
    if bare:
        return {resident: {RESIDENT_HEADER: resident} for phase in phases for resident in phase.residents}
    return {
        resident: {"Authorization": f"Bearer {issuer.issue(AccessSubject(kind='resident', id=uuid.UUID(resident)))}"}
        for phase in phases
        for resident in phase.residents
    }


# A measured request: the row's name, the server, the path, the headers.
Target = tuple[str, RunningServer, str, dict[str, str] | None]


def _alternate(
    generator: LoadGenerator, options: Options, meter: OthersMeter, ceiling: Target, endpoint: Target, target: float
) -> tuple[list[Row], Verdict]:
    """A ceiling and the endpoint judged against it, alternating over the run's rounds (the
    ceiling right before the endpoint each time): their median rows and the verdict."""
    ceiling_rounds: list[Row] = []
    endpoint_rounds: list[Row] = []
    for _ in range(options.rounds):
        ceiling_rounds.append(_measure(generator, options, meter, *ceiling))
        endpoint_rounds.append(_measure(generator, options, meter, *endpoint))
    verdict = judge(
        [row.result for row in ceiling_rounds],
        [row.result for row in endpoint_rounds],
        endpoint=endpoint[0],
        target=target,
    )
    return [median_row(ceiling_rounds), median_row(endpoint_rounds)], verdict


async def _a_catalogue_service(database_url: str) -> tuple[str, str, str]:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        row = await connection.fetchrow("SELECT code, opd_code, module FROM catalogue_services ORDER BY code LIMIT 1")
    finally:
        await connection.close()
    if row is None:
        raise BenchError("no catalogue service to open bench cases in")
    return row["code"], row["opd_code"], row["module"]


def _fetch(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> bytes:
    status, body = get(server.port, path, headers=headers)
    if status != 200:
        raise BenchError(f"{server.name} answered {status} to GET {path}")
    return body


def _measure(
    generator: LoadGenerator,
    options: Options,
    meter: OthersMeter,
    endpoint: str,
    server: RunningServer,
    path: str,
    headers: dict[str, str] | None = None,
) -> Row:
    body = _fetch(server, path, headers)  # a wrong answer must stop the run, not be measured fast
    say(f"measuring {endpoint} ...")
    url = server.url(path)
    # Warm-up: fills the per-process caches, grows the database pool and lets the workers settle.
    generator.run(url, options.warmup_seconds, headers)
    meter.start()
    result: LoadResult = generator.run(url, options.seconds, headers)
    return Row(endpoint=endpoint, body_bytes=len(body), result=result, others_cpu=meter.stop())


if __name__ == "__main__":
    sys.exit(main())
