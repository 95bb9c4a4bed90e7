"""Schemathesis against the real server over HTTP: every answer must match the published contract.

The app runs as in production (`serang-app serve`, granian, a migrated database) and schemathesis
generates valid and invalid requests from the document the server itself publishes. Any 5xx, any
status code, media type, header or body the document does not describe fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute

from serang_app.app import create_app
from serang_app.auth.permissions import PERMISSION_OPT, PermissionRegistry, is_public
from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.http.openapi_names import operation_name
from serang_app.settings import load_settings
from tests.support.app_server import running_app
from tests.support.database import PROJECT_ROOT
from tests.support.fake_google import FakeGoogle

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
COMMITTED_DOCUMENT = PROJECT_ROOT / "openapi" / "openapi.json"
HOOKS_FILE = Path(__file__).parent / "support" / "schemathesis_hooks.py"

# Examples per operation and phase. Schemathesis' --max-time is a budget it spends in full
# (fuzzing repeats until it runs out), so the run is bounded by the example count instead, and
# the subprocess timeout below stops a run that hangs. A quiet machine runs it in about a minute;
# beside pytest-xdist's other processes on a shared 2-core machine one took over 240 s.
# The timeout guards against a hang, not a slow run: on a machine 2.5 times slower per core than
# the one these figures came from (2026-12-05: 315 s alone, over 540 s beside the other tests),
# a sound run took longer than the earlier 540 s.
MAX_EXAMPLES = 40
# The fuzzing phase's examples for an operation behind a permission residents do not hold (staff
# and admin routes, about half of the operations). The run's token is a resident's, and the
# authentication middleware answers such a route 403 before it reads anything of the request
# (auth/permissions.py: require_permission), so every drawn query, header and body meets the
# same refusal: 40 draws test that one answer 40 times, at 10 ms of schemathesis' CPU each. For
# the same reason the coverage phase skips them: it sends each operation every boundary value of
# every parameter and property (about 7,100 of its 9,700 cases went to these operations), all
# of them met by that one 403. The examples and stateful phases are unchanged, and the fuzzing
# phase's 10 draws still mix valid and invalid input; every other operation keeps MAX_EXAMPLES
# and its coverage cases.
STAFF_ONLY_MAX_EXAMPLES = 10
RUN_TIMEOUT_SECONDS = 1500
# Fixed so a failure reproduces and CI does not change its verdict without a code change.
SEED = 20261127

# Every check applies (`--checks all`); one is turned off for one operation (see CONFIG). The stateful and authorization checks
# (use_after_free, ensure_resource_availability, ignored_auth, object_level_authorization) have
# nothing to act on until the API has links and security schemes, and start working by
# themselves when it does.
#
# Warnings that mean the contract and the server disagree, or that the run did not test what it
# should, fail the run. `missing_test_data` (an operation answering only 404, as one that needs
# an existing id will) is left as a warning: it says the test lacks data, not that the API is wrong.
CONFIG = """\
# The API checks meaning as well as shape: a NIK's birth date, a village inside the chosen
# district, the current privacy-policy version. Such requests fit the schema and are still
# refused with 422 and field errors, which is correct, so 422 counts as an expected answer to
# schema-valid data; so does 412, a well-formed If-Match naming a version the case has left, and
# 426, a well-formed X-App-Version older than the platform's minimum (the update gate).
# Every other status stays unexpected.
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "3XX", "401", "403", "404", "409", "412", "422", "426", "429"]

# One allowance, for one check on one operation. On POST /v1/cases/{case_id}/actions/{action},
# schemathesis 4.32 (seed above) fails a case as "schema-violating request accepted" whose
# invalid component it names as "positive test case": its own `_describe_generation` found no
# mutation in it and called it positive, yet the case kept the negative mode. The request it sent
# (a real case, a valid action, `If-Match: *`, empty app headers, no body) is valid under the
# document, and the server rightly took the action (200). A 2xx is therefore allowed to
# negative cases of this operation only; every other check still runs on it, and every check on
# every other operation.
[[operations]]
include-operation-id = "actOnCase"
checks.negative_data_rejection.expected-statuses = ["2XX", "400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5XX"]

[warnings]
fail-on = [
    "validation_mismatch",
    "unsupported_regex",
    "unresolvable_reference",
    "missing_deserializer",
    "rate_limited",
    "base_url_mismatch",
]
"""
# Appended to CONFIG by the test: the examples per operation and phase (MAX_EXAMPLES) are set in
# the file rather than on the command line, where they would override the staff-only operations'.
EXAMPLES_CONFIG = """
[generation]
max-examples = {max_examples}

# The operations the run's resident may not call: STAFF_ONLY_MAX_EXAMPLES says why fewer.
[[operations]]
include-operation-id = {staff_only}
generation.max-examples = {staff_only_max_examples}
phases.coverage.enabled = false
"""


@pytest.fixture
def app_url(database_url: str, tmp_path: Path, google: FakeGoogle) -> Iterator[str]:
    # Firebase sign-in is configured against the local fake, as production is against Google,
    # so the sign-in route answers 401 to a bad token instead of "not configured".
    firebase = {
        "FIREBASE_PROJECT_ID": google.project_id,
        "FIREBASE_CREDENTIALS_FILE": str(google.credentials_file),
        "FIREBASE_CERTIFICATES_URL": google.certificates_url,
        "FIREBASE_AUTH_API_URL": google.auth_api_url,
    }
    # One resident makes every request of the run: the bound on their pending uploads would turn
    # most upload starts into 409s, which schemathesis reads as refused valid input.
    with running_app(
        database_url, tmp_path / "server.log", SERANG_MAX_PENDING_UPLOADS="100000", **firebase
    ) as base_url:
        yield base_url


def _resident_access_token(app_url: str, google: FakeGoogle) -> str:
    """Sign a resident in for real, so the run reaches the routes behind authentication."""
    id_token = google.sign_id_token("contract-test-resident", "+6281200000001")
    response = httpx.post(
        f"{app_url}/v1/auth/firebase",
        json={"id_token": id_token, "consent_policy_version": CURRENT_PRIVACY_POLICY},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 60)
def test_every_response_matches_the_contract(app_url: str, tmp_path: Path, google: FakeGoogle) -> None:
    # Schemathesis tests the document the server serves; the mobile team builds from the file. Both
    # are checked in this test rather than in one of their own: that would start a server of its
    # own (5 s of CPU) only to read the document.
    served = httpx.get(f"{app_url}/schema/openapi.json", timeout=10).json()
    committed = json.loads(COMMITTED_DOCUMENT.read_text(encoding="utf-8"))
    assert served == committed, "the served OpenAPI document differs from openapi/openapi.json: run `make openapi`"
    access_token = _resident_access_token(app_url, google)
    staff_only = _operations_residents_may_not_call()
    served_ids = _operation_ids(served)
    assert staff_only, "no operation is behind a staff permission: the route scan found nothing"
    assert set(staff_only) <= served_ids, f"not operations of the served document: {set(staff_only) - served_ids}"
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG
        + EXAMPLES_CONFIG.format(
            max_examples=MAX_EXAMPLES,
            staff_only=json.dumps(staff_only),
            staff_only_max_examples=STAFF_ONLY_MAX_EXAMPLES,
        ),
        encoding="utf-8",
    )
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "run",
        f"{app_url}/schema/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
        "--header",
        f"Authorization: Bearer {access_token}",
        # Erasing the account would sign the run out halfway; erasure has its own tests.
        "--exclude-operation-id",
        "deleteMe",
        # Submitting needs a draft completed over several calls (answers, each document's upload):
        # drawn from the schema it is always incomplete and rightly refused with 422, which
        # schemathesis reads as a contract mismatch. tests/modules/permits/test_permits.py drives both.
        "--exclude-operation-id",
        "permitsSubmitApplication",
        "--exclude-operation-id",
        "permitsResubmitApplication",
    ]
    try:
        # Run from the test's own folder: schemathesis leaves its .schemathesis and .hypothesis
        # caches in the working directory, and must not pick up a schemathesis.toml from the repo.
        result = subprocess.run(
            command,
            cwd=tmp_path,
            env={
                **_environment_without_proxies(),
                "NO_PROXY": "127.0.0.1,localhost",
                "SCHEMATHESIS_HOOKS": str(HOOKS_FILE),
            },
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT_SECONDS} s:\n{_text(timeout.stdout)}")
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"schemathesis exited with {result.returncode}:\n{output}", pytrace=False)
    # Guards against a run that passes because it tested little or nothing.
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    tested = re.search(r"Tested: (\d+)", output)
    assert selected, f"no summary in the schemathesis output:\n{output}"
    assert tested, f"no summary in the schemathesis output:\n{output}"
    excluded = command.count("--exclude-operation-id")
    assert int(tested[1]) == int(selected[1]) == int(selected[2]) - excluded > 0, (
        f"not every operation was tested:\n{output}"
    )


def _operations_residents_may_not_call() -> list[str]:
    """The operation ids of the routes behind a permission the resident role does not hold, in the
    app `serang-app serve` runs (the default modules)."""
    app = create_app(load_settings({"DATABASE_URL": "postgresql://unused@127.0.0.1/unused"}))
    registry: PermissionRegistry = app.state.permission_registry
    residents = registry.for_role("resident")
    return sorted(
        {
            handler.operation_id if isinstance(handler.operation_id, str) else operation_name(handler)
            for route in app.routes
            if isinstance(route, HTTPRoute) and not route.path.startswith("/schema")
            for handler in route.route_handlers
            if not is_public(handler) and handler.opt.get(PERMISSION_OPT) not in residents
        }
    )


def _operation_ids(document: dict[str, Any]) -> set[str]:
    return {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _environment_without_proxies() -> dict[str, str]:
    """The environment minus proxy settings: the run must reach 127.0.0.1 and nothing else."""
    return {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}


def _text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", errors="replace")
    return output or ""
