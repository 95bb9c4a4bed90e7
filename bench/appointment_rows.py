"""The appointments rows: 14 days of slots, and booking under contention."""

from __future__ import annotations

import asyncio
import uuid

import msgspec

from bench import BenchError
from bench.appointment_load import run_booking_load
from bench.appointments import BookingPhase, prepare_appointments
from bench.bare_appointments_app import DATABASE_VARIABLE as APPOINTMENTS_DATABASE_VARIABLE
from bench.bare_appointments_app import RESIDENT_HEADER
from bench.measuring import RowContext, alternate, fetch, say, start_bare
from bench.report import (
    BOOKING_CEILING_ENDPOINT,
    BOOKING_ENDPOINT,
    SLOTS_CEILING_ENDPOINT,
    SLOTS_ENDPOINT,
    SLOTS_TARGET_RATIO,
    Row,
    Verdict,
)
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys


def measure_appointments(run: RowContext) -> tuple[list[Row], Verdict]:
    """14 days of slots at one place, alternating with a bare app running the module's own
    availability code; then bookings racing for the same 24 slots from 32 connections, each
    request a new resident, against the bare app's same writes."""
    say(f"preparing the appointments rows ({run.options.appointment_residents:,} residents per booking phase) ...")
    setup = asyncio.run(prepare_appointments(run.database_url, run.options.appointment_residents))
    say(f"prepared in {setup.seconds:.0f} s")
    bare = start_bare(
        run,
        "bare-appointments",
        "bench.bare_appointments_app:create",
        {APPOINTMENTS_DATABASE_VARIABLE: run.database_url},
        setup.slots_path,
    )
    answers = [msgspec.json.decode(fetch(server, setup.slots_path)) for server in (run.service, bare)]
    if answers[0] != answers[1] or not answers[0]["items"]:
        raise BenchError("both apps should offer the same slots")
    say(f"slots: {len(answers[0]['items'])} slots over the 14 days")
    rows, verdict = alternate(
        run.generator,
        run.options,
        run.meter,
        (SLOTS_CEILING_ENDPOINT, bare, setup.slots_path, None),
        (SLOTS_ENDPOINT, run.service, setup.slots_path, None),
        SLOTS_TARGET_RATIO,
    )
    issuer = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600)
    for endpoint, server, (warm_up, measured) in (
        (BOOKING_CEILING_ENDPOINT, bare, setup.bare),
        (BOOKING_ENDPOINT, run.service, setup.service),
    ):
        identities = _identities(issuer, server is bare, [warm_up, measured])
        say(f"measuring {endpoint} (Python generator, {run.options.case_connections} connections) ...")
        run_booking_load(
            server.port,
            warm_up.place,
            warm_up.slot_starts,
            warm_up.residents,
            identities.__getitem__,
            run.options.case_connections,
            run.options.warmup_seconds,
        )
        run.meter.start()
        result = run_booking_load(
            server.port,
            measured.place,
            measured.slot_starts,
            measured.residents,
            identities.__getitem__,
            run.options.case_connections,
            run.options.seconds,
        )
        others_cpu = run.meter.stop()
        if result.requests >= len(measured.residents):
            # The phase stopped for want of residents, not at its deadline: its rate is not the
            # endpoint's (each request books as a new resident).
            raise BenchError(
                f"{endpoint}: every resident booked before the time was up; raise BENCH_APPOINTMENT_RESIDENTS"
            )
        rows.append(Row(endpoint=endpoint, body_bytes=0, result=result, others_cpu=others_cpu))
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
