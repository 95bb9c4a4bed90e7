"""The two storage backends every upload test runs against (moto's S3 server over real HTTP, and
the local folder), the app on each, and what tests do with them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.pool import open_database
from serang_app.module_system.spec import ModuleSpec
from serang_app.storage.factory import open_storage
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import CORE_TASKS
from tests.conftest import app_for, settings_for
from tests.support.accounts import bearer, resident_tokens
from tests.support.lamps_module import LAMPS
from tests.support.object_store import S3_CREDENTIALS, local_keys, new_bucket, s3_keys, s3_object


@dataclass(frozen=True)
class Backend:
    name: str
    environ: dict[str, str]
    stored: Callable[[], list[str]]
    read: Callable[[str], bytes]


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Backend:
    if request.param == "local":
        folder = tmp_path / "data"
        return Backend(
            "local",
            {"SERANG_DATA_DIR": str(folder)},
            lambda: local_keys(folder / "storage"),
            lambda key: (folder / "storage" / key).read_bytes(),
        )
    endpoint: str = request.getfixturevalue("s3_endpoint")
    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = new_bucket(endpoint)
    return Backend(
        "s3",
        {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_FORCE_PATH_STYLE": "true"},
        lambda: s3_keys(endpoint, bucket),
        lambda key: s3_object(endpoint, bucket, key),
    )


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [LAMPS]


@pytest.fixture
async def client(
    database_url: str, modules: list[ModuleSpec], backend: Backend
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = app_for(database_url, modules=modules, **backend.environ)
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def resident(client: Any, phone: str = "+6281411110001") -> dict[str, str]:
    return bearer(await resident_tokens(client, phone))


async def fetch(client: Any, url: str) -> bytes:
    if url.startswith("http://testserver"):
        response = await client.get(url)
    else:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
            response = await http.get(url)
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


async def clean_up_uploads(database_url: str, backend: Backend) -> None:
    """One round of the worker's upload clean-up, against the backend's storage."""
    task = next(task for task in CORE_TASKS if task.name == "delete_abandoned_uploads")
    database = await open_database(database_url, min_size=1, max_size=1, connect_timeout=5)
    try:
        await task.run(
            WorkerContext(database=database, storage=open_storage(settings_for(database_url, **backend.environ)))
        )
    finally:
        await database.close()
