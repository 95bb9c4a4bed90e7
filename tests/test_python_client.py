"""The Python client generated from openapi/openapi.json, as a client team makes it, against the real server.

openapi-python-client drops what it cannot type (a response, a whole schema) with a warning, and
the client then raises on a valid answer; so any warning fails here. The generated client is then
imported and used over HTTP against `serang-app serve`: parsed answers prove the document
describes what the server sends, the form answers' three kinds of value included.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from tests.support.app_server import running_app
from tests.support.database import PROJECT_ROOT

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")
DOCUMENT = PROJECT_ROOT / "openapi" / "openapi.json"
CONFIG = PROJECT_ROOT / "openapi" / "python-client.yaml"
PACKAGE = "serang_client"
# Inside Kabupaten Serang, in Kramatwatu (tests/modules/complaints/test_complaints.py).
HERE = (-6.0500, 106.1000)
KRAMATWATU = "36.04.05"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("python-client")
    result = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(DOCUMENT),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"openapi-python-client failed or warned:\n{output}"
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def generated(module: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{module}")


def test_the_document_makes_a_client_without_warnings(client_package: ModuleType) -> None:
    models = generated("models")
    # The form answer is a union the client types, not a class without fields.
    assert models.PermitsAnswerChangesAnswers.__annotations__["additional_properties"] == (
        "dict[str, float | list[str] | None | str]"
    )


def test_the_generated_client_talks_to_the_server(
    client_package: ModuleType, database_url: str, tmp_path: Path
) -> None:
    models = generated("models")
    # Development, because dev sign-in answers 404 in production.
    with running_app(database_url, tmp_path / "server.log", SERANG_ENV="development") as base_url:
        anonymous = client_package.Client(base_url=base_url, raise_on_unexpected_status=True)
        catalogue = generated("api.catalogue.list_services").sync(client=anonymous)
        assert isinstance(catalogue, models.ServiceList)
        assert {"complaints.report", "permits.apply"} <= {item.code for item in catalogue.items}

        tokens = generated("api.auth.dev_sign_in").sync(
            client=anonymous,
            body=models.DevSignIn(
                phone=f"+62817{uuid.uuid4().int % 10**8:08d}", consent_policy_version=CURRENT_PRIVACY_POLICY
            ),
        )
        assert isinstance(tokens, models.TokenPair)
        resident = client_package.AuthenticatedClient(
            base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True
        )

        attributes = models.ComplaintsComplaintDraftAttributes.from_dict({"pole_number": "PJU-0042"})
        filed = generated("api.complaints.complaints_report").sync(
            client=resident,
            body=models.ComplaintsComplaintDraft(
                category="street_lights",
                description="Lampu jalan di depan masjid mati sejak seminggu.",
                latitude=HERE[0],
                longitude=HERE[1],
                district_code=KRAMATWATU,
                attributes=attributes,
            ),
        )
        assert isinstance(filed, models.ComplaintsFiledComplaint)
        assert filed.reference.startswith("ADU-")
        detail = generated("api.complaints.complaints_detail").sync(filed.case_id, client=resident)
        assert isinstance(detail, models.ComplaintsComplaintDetail)
        assert detail.attributes.to_dict() == {"pole_number": "PJU-0042"}

        cases = generated("api.cases.list_my_cases").sync(client=resident)
        assert isinstance(cases, models.CasePage)
        assert [(case.id, case.phase.value) for case in cases.items] == [(filed.case_id, "submitted")]

        application = generated("api.permits.permits_start_application").sync(
            client=resident, body=models.PermitsNewApplication(type_code="business_certificate")
        )
        assert isinstance(application, models.PermitsApplication)
        # A draft keeps any answers (they are checked on submission): text, a number and a list.
        answers = {"business_name": "pothole", "floors": 3, "products": ["a", "b"]}
        answered = generated("api.permits.permits_answer_application").sync(
            application.id,
            client=resident,
            body=models.PermitsAnswerChanges(answers=models.PermitsAnswerChangesAnswers.from_dict(answers)),
        )
        assert isinstance(answered, models.PermitsApplication)
        assert answered.answers.to_dict() == answers
