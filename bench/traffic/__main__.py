"""`python -m bench.traffic` (`make bench-load RUN=steady|surge|soak`): the mixed load of issue 24.

A fresh database with the migrations, the catalogue, a hundred thousand complaints and the run's
accounts; `serang-app serve` in production shape and one `serang-app worker` pushing to a local
stand-in for FCM; then Locust (bench/traffic/locustfile.py) runs the traffic model's users at the
run's rate. Reported: requests/s, p50/p95/p99 and errors per request kind, push delay from commit
to FCM, the database's sessions and the pools' waits, every process's RSS after the ramp-up and at
the end, and the CPU share other processes took. Written to var/bench/traffic-<run>.json.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from bench import WORK_FOLDER, BenchError
from bench.appointments import SERVICE
from bench.database import bench_database, database_name
from bench.machine import OthersMeter, busy_share
from bench.measuring import say
from bench.photo_load import make_photo
from bench.push_load import running_worker
from bench.report import write_json
from bench.seed import prepare_database, seed_module
from bench.servers import SCRIPTS, free_port, running_server, service_command, service_environment
from bench.traffic import model
from bench.traffic.options import TrafficOptions, read_traffic_options
from bench.traffic.report import RunFigures, as_json, read_failures, read_locust_stats, render
from bench.traffic.sampling import (
    ConnectionSampler,
    memory_snapshot,
    pool_acquires,
    push_delays,
    wait_until,
)
from bench.traffic.seeding import PLACE, seed_traffic
from serang_app.app import load_modules
from serang_app.cases.schemas import Survey
from serang_app.settings import load_settings
from tests.support.fake_google import FakeGoogle

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SURVEY_ELEMENTS = Survey.__struct_fields__  # the nine elements of a rating's survey
SURGE_POINT = (-6.0865, 106.3340)  # Kragilan, by the Ciujung river: where a flood would be reported
# How often the processes' RSS is read during the measured part (report: the memory curve).
MEMORY_EVERY_SECONDS = 300


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        run(read_traffic_options(os.environ))
    except BenchError as error:
        print(f"bench.traffic: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench.traffic: interrupted; servers stopped and database dropped", file=sys.stderr)
        return 130
    return 0


def _exit_on_signal(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(options: TrafficOptions) -> None:
    busy_before = busy_share()
    busy_text = "unknown" if busy_before is None else f"{busy_before:.0%}"
    say(f"machine: {os.cpu_count()} CPUs, CPU busy before the run: {busy_text}")
    people = model.population(options.rate)
    surge_users = _surge_users(options) if options.run == "surge" else 0
    accounts = people.residents + _rotations(options)
    say(
        f"run {options.run}: {options.rate:g} requests/s for {options.seconds} s after a {options.ramp_seconds} s "
        f"ramp-up" + (f" and a {options.warmup_seconds} s warm-up" if options.warmup_seconds else "") + "; "
        f"{people.residents} residents ({accounts} accounts), {people.officers} officers, "
        f"{people.admins} admin" + (f", {surge_users} surge residents" if surge_users else "")
    )
    run_folder = WORK_FOLDER / "runs" / f"traffic-{secrets.token_hex(4)}"
    run_folder.mkdir(parents=True)
    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(bench_database(say))
        port = free_port()
        environment = service_environment(database_url, run_folder / "data", port)
        metrics_token = secrets.token_urlsafe(24)
        environment["SERANG_METRICS_TOKEN"] = metrics_token
        specs = load_modules(load_settings(environment))
        asyncio.run(prepare_database(database_url, specs, seed_module(specs)))
        # The service first: its start-up adds the modules' catalogue entries the seeded cases need.
        service = cleanup.enter_context(
            running_server(
                "service",
                service_command(port, options.workers),
                environment,
                port,
                "/readyz",
                run_folder / "service.log",
            )
        )
        say("seeding accounts, cases and complaints ...")
        seeded = asyncio.run(
            seed_traffic(
                database_url,
                environment["SERANG_JWT_KEYS"],
                residents=accounts,
                surge_residents=surge_users,
                officers=people.officers,
                complaints=options.complaints,
            )
        )
        say(f"seeded in {seeded.seconds:.0f} s")
        google = cleanup.enter_context(FakeGoogle())
        worker = cleanup.enter_context(
            running_worker(
                {
                    **environment,
                    "FCM_CREDENTIALS_FILE": str(google.credentials_file),
                    "FCM_API_URL": google.fcm_url,
                    "NO_PROXY": "127.0.0.1,localhost",
                },
                run_folder / "worker.log",
            )
        )
        photo_file = run_folder / "photo.jpg"
        photo_file.write_bytes(make_photo(model.PHOTO_SIZE))
        plan_file = run_folder / "plan.json"
        plan_file.write_text(
            json.dumps(
                {
                    "residents": seeded.residents,
                    "surge_residents": seeded.surge_residents,
                    "officers": seeded.officers,
                    "admin": seeded.admin,
                    "points": _village_points(),
                    "booking": {"place": PLACE, "service": SERVICE},
                    "survey_elements": SURVEY_ELEMENTS,
                    "surge": {
                        "start": options.ramp_seconds + options.warmup_seconds + options.surge_after,
                        "seconds": options.surge_seconds,
                        "point": SURGE_POINT,
                    },
                    "population": {
                        "residents": people.residents,
                        "surge_residents": surge_users,
                        "officers": people.officers,
                        "admins": people.admins,
                    },
                    "photo_file": str(photo_file),
                }
            ),
            encoding="utf-8",
        )
        users = people.residents + surge_users + people.officers + people.admins
        csv_prefix = run_folder / "locust"
        say(f"locust: {users} users, {photo_file.stat().st_size:,}-byte photos ...")
        locust = subprocess.Popen(
            [
                str(SCRIPTS / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                service.url(""),
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, math.ceil(users / options.ramp_seconds))),
                "--run-time",
                f"{options.ramp_seconds + options.warmup_seconds + options.seconds}s",
                "--reset-stats",
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            env={**os.environ, "BENCH_TRAFFIC_PLAN": str(plan_file), "PYTHONPATH": str(Path.cwd())},
            stdout=(run_folder / "locust.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        cleanup.callback(_stop, locust)
        sessions = [service.session, worker.pid, locust.pid]
        meter = OthersMeter(sessions, database_name(database_url))
        sampler = ConnectionSampler(database_url, database_name(database_url))
        ramped = time.monotonic() + options.ramp_seconds
        wait_until(ramped, locust)
        curve = [(0.0, memory_snapshot(sessions))]
        warm = ramped + options.warmup_seconds
        # The memory on the way through the warm-up too, so the curve shows the caches filling.
        _sample_memory_until(warm, ramped, curve, sessions, locust)
        wait_until(warm, locust)
        memory_start = memory_snapshot(sessions) if options.warmup_seconds else curve[0][1]
        if options.warmup_seconds and curve[-1][0] * 60 < options.warmup_seconds - 1:
            curve.append((round(options.warmup_seconds / 60, 1), memory_start))
        pool_start = pool_acquires(port, metrics_token)
        meter.start()
        sampler.start()
        measured_from = time.time()
        # The end's figures a moment before Locust stops, while every process is still there;
        # the memory also every MEMORY_EVERY_SECONDS on the way.
        end = warm + options.seconds - 2
        _sample_memory_until(end, ramped, curve, sessions, locust)
        wait_until(end, locust)
        others = meter.stop()
        sampler.stop()
        memory_end = memory_snapshot(sessions)
        curve.append((round((end - ramped) / 60, 1), memory_end))
        pool_end = pool_acquires(port, metrics_token)
        # Locust exits with 1 when a request failed: the figures say which.
        if locust.wait() != 0 and not Path(f"{csv_prefix}_stats.csv").exists():
            raise BenchError(f"locust failed; see {run_folder / 'locust.log'}")
        time.sleep(2)  # the pushes of the last changes
        push = asyncio.run(push_delays(database_url, measured_from))
        kinds, total = read_locust_stats(Path(f"{csv_prefix}_stats.csv"))
        sessions_seen = [count for count, _ in sampler.samples] or [0]
        figures = RunFigures(
            run=options.run,
            target_per_second=options.rate,
            seconds=options.seconds,
            warmup_seconds=options.warmup_seconds,
            users={
                "residents": people.residents,
                "surge residents": surge_users,
                "officers": people.officers,
                "admins": people.admins,
            },
            kinds=kinds,
            total=total,
            failures=read_failures(Path(f"{csv_prefix}_failures.csv")),
            push=push,
            connections_max=max(sessions_seen),
            connections_active_max=max((active for _, active in sampler.samples), default=0),
            connections_mean=sum(sessions_seen) / len(sessions_seen),
            pool={name: pool_end.get(name, 0) - pool_start.get(name, 0) for name in pool_end},
            memory_start=memory_start,
            memory_end=memory_end,
            others_cpu=others,
            busy_before=busy_before,
            memory_curve=curve,
        )
    shutil.rmtree(run_folder, ignore_errors=True)
    say("")
    say(render(figures))
    result = WORK_FOLDER / f"traffic-{options.run}.json"
    write_json(result, {"options": options.as_json(), **as_json(figures)})
    say(f"written to {result}")


def _sample_memory_until(
    until: float,
    ramped: float,
    curve: list[tuple[float, dict[str, float]]],
    sessions: list[int],
    locust: subprocess.Popen[bytes],
) -> None:
    """Every MEMORY_EVERY_SECONDS after the ramp-up (counted from it), the processes' RSS, up to
    half a step before `until`."""
    while (next_sample := ramped + len(curve) * MEMORY_EVERY_SECONDS) < until - MEMORY_EVERY_SECONDS / 2:
        wait_until(next_sample, locust)
        curve.append((round((next_sample - ramped) / 60, 1), memory_snapshot(sessions)))


def _surge_users(options: TrafficOptions) -> int:
    """Residents filing at SURGE_FACTOR times the steady filing rate, one filing per visit."""
    filings = options.rate * model.MIX["POST /v1/complaints"] / 100 * model.SURGE_FACTOR
    return max(1, round(filings * model.RESIDENT_VISIT_SECONDS))


def _rotations(options: TrafficOptions) -> int:
    """Accounts beyond the users: a resident who booked or rated hands over to the next one."""
    one_off = model.MIX["POST /v1/appointments"] + model.MIX["POST /v1/cases/{id}/rating"]
    return (
        math.ceil(
            options.rate * one_off / 100 * (options.seconds + options.ramp_seconds + options.warmup_seconds) * 1.5
        )
        + 10
    )


def _village_points() -> list[tuple[float, float]]:
    from bench.complaint_load import village_points  # shapely is imported only when needed

    return village_points()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
