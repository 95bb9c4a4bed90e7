"""The services row (issue 23): fetching a service definition, what the app renders as a form,
against a bare Litestar handing out the same bytes.

The service starts with the shipped definitions (SERANG_SERVICE_SEEDS is left at `shipped`), so
the largest of them is there to fetch: the RTLH application, the longest form of the set; and
one to apply to (bench/submission_rows.py)."""

from __future__ import annotations

from bench.measuring import RowContext, alternate, start_bare_serving
from bench.report import DEFINITION_CEILING_ENDPOINT, DEFINITION_ENDPOINT, DEFINITION_TARGET_RATIO, Row, Verdict
from bench.submission_rows import measure_submissions

DEFINITION_PATH = "/v1/permits/definitions/disperkim_rtlh_application"


def measure_service_definition(run: RowContext) -> tuple[list[Row], Verdict]:
    """The definition fetch, judged against its ceiling; then submission, reported beside its own."""
    bare = start_bare_serving(run, "bare-service-definition", DEFINITION_PATH)
    rows, verdict = alternate(
        run.generator,
        run.options,
        run.meter,
        (DEFINITION_CEILING_ENDPOINT, bare, DEFINITION_PATH, None),
        (DEFINITION_ENDPOINT, run.service, DEFINITION_PATH, None),
        DEFINITION_TARGET_RATIO,
    )
    return [*rows, *measure_submissions(run)], verdict
