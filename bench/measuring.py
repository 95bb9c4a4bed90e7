"""What every row of a run shares: the run's context, printing, fetching a check answer, one
measured endpoint, and a ceiling alternating with the endpoint judged against it."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench import BenchError
from bench.bare_app import BODY_FILE_VARIABLE, BODY_PATH_VARIABLE
from bench.load import LoadGenerator, LoadResult
from bench.machine import OthersMeter
from bench.options import Options
from bench.probe import get
from bench.report import Row, Verdict, judge, median_row
from bench.servers import RunningServer, bare_command, bare_environment, free_port, running_server


@dataclass(frozen=True, slots=True)
class RowContext:
    """A run's parts, for the rows measured after the common ones."""

    cleanup: ExitStack
    options: Options
    generator: LoadGenerator
    meter: OthersMeter
    service: RunningServer
    database_url: str
    environment: dict[str, str]
    run_folder: Path


def say(line: str) -> None:
    print(line, flush=True)


def fetch(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> bytes:
    status, body = get(server.port, path, headers=headers)
    if status != 200:
        raise BenchError(f"{server.name} answered {status} to GET {path}")
    return body


def start_bare(run: RowContext, name: str, app: str, variables: dict[str, str], ready_path: str) -> RunningServer:
    """A bare ceiling app (`module:create`) under granian with the service's worker count,
    stopped with the run, its CPU counted as the run's own."""
    port = free_port()
    bare = run.cleanup.enter_context(
        running_server(
            name,
            bare_command(port, run.options.workers, app),
            bare_environment(variables=variables),
            port,
            ready_path,
            run.run_folder / f"{name}.log",
        )
    )
    run.meter.add_session(bare.session)
    return bare


def measure(
    generator: LoadGenerator,
    options: Options,
    meter: OthersMeter,
    endpoint: str,
    server: RunningServer,
    path: str,
    headers: dict[str, str] | None = None,
) -> Row:
    body = fetch(server, path, headers)  # a wrong answer must stop the run, not be measured fast
    say(f"measuring {endpoint} ...")
    url = server.url(path)
    # Warm-up: fills the per-process caches, grows the database pool and lets the workers settle.
    generator.run(url, options.warmup_seconds, headers)
    meter.start()
    result: LoadResult = generator.run(url, options.seconds, headers)
    return Row(endpoint=endpoint, body_bytes=len(body), result=result, others_cpu=meter.stop())


# A measured request: the row's name, the server, the path, the headers.
Target = tuple[str, RunningServer, str, dict[str, str] | None]


def start_bare_serving(run: RowContext, name: str, path: str) -> RunningServer:
    """bench/bare_app.py serving the exact bytes the service answers to GET `path` (a cached or
    prepared answer's ceiling), checked to return them."""
    body_file = run.run_folder / f"{name}-body.json"
    body_file.write_bytes(fetch(run.service, path))
    bare = start_bare(
        run, name, "bench.bare_app:create", {BODY_FILE_VARIABLE: str(body_file), BODY_PATH_VARIABLE: path}, path
    )
    if fetch(bare, path) != body_file.read_bytes():
        raise BenchError(f"{name} does not return the bytes of GET {path}")
    return bare


def alternate(
    generator: LoadGenerator, options: Options, meter: OthersMeter, ceiling: Target, endpoint: Target, target: float
) -> tuple[list[Row], Verdict]:
    """A ceiling and the endpoint judged against it, alternating over the run's rounds (the
    ceiling right before the endpoint each time): their median rows and the verdict."""
    ceiling_rounds: list[Row] = []
    endpoint_rounds: list[Row] = []
    for _ in range(options.rounds):
        ceiling_rounds.append(measure(generator, options, meter, *ceiling))
        endpoint_rounds.append(measure(generator, options, meter, *endpoint))
    verdict = judge(
        [row.result for row in ceiling_rounds],
        [row.result for row in endpoint_rounds],
        endpoint=endpoint[0],
        target=target,
    )
    return [median_row(ceiling_rounds), median_row(endpoint_rounds)], verdict
