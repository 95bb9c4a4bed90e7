"""The services row (issue 23): fetching a service definition, what the app renders as a form,
against a bare Litestar handing out the same bytes.

The service starts with the shipped definitions (SERANG_SERVICE_SEEDS is left at `shipped`), so
the largest of them is there to fetch: the RTLH application, the longest form of the set."""

from __future__ import annotations

from bench import BenchError
from bench.bare_app import BODY_FILE_VARIABLE, BODY_PATH_VARIABLE
from bench.measuring import RowContext, alternate, fetch, start_bare
from bench.report import DEFINITION_CEILING_ENDPOINT, DEFINITION_ENDPOINT, DEFINITION_TARGET_RATIO, Row, Verdict

DEFINITION_PATH = "/v1/permits/definitions/disperkim_rtlh_application"


def measure_service_definition(run: RowContext) -> tuple[list[Row], Verdict]:
    body_file = run.run_folder / "service-definition-body.json"
    body_file.write_bytes(fetch(run.service, DEFINITION_PATH))
    bare = start_bare(
        run,
        "bare-service-definition",
        "bench.bare_app:create",
        {BODY_FILE_VARIABLE: str(body_file), BODY_PATH_VARIABLE: DEFINITION_PATH},
        DEFINITION_PATH,
    )
    if fetch(bare, DEFINITION_PATH) != body_file.read_bytes():
        raise BenchError("the bare app does not return the definition's bytes")
    return alternate(
        run.generator,
        run.options,
        run.meter,
        (DEFINITION_CEILING_ENDPOINT, bare, DEFINITION_PATH, None),
        (DEFINITION_ENDPOINT, run.service, DEFINITION_PATH, None),
        DEFINITION_TARGET_RATIO,
    )
