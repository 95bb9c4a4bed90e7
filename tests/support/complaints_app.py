"""The app with the complaints module, as its tests drive it: no rate limit, no worker inside (the
tests run worker steps themselves), uploads in the test's own folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.conftest import app_for


def complaints_app(database_url: str, folder: Path) -> Litestar:
    return modules_app(database_url, folder, complaints_module())


def modules_app(database_url: str, folder: Path, *modules: ModuleSpec, **environ: str) -> Litestar:
    """The same for any modules, and any further settings."""
    return app_for(
        database_url,
        modules=list(modules),
        SERANG_DATA_DIR=str(folder / "data"),
        **environ,
    )


async def public_order_complaint(client: Any, reporter: dict[str, str], **fields: Any) -> dict[str, Any]:
    """A resident's complaint of Satpol PP's about traders on the pavement, filed (private, as the
    category is by default, and without a photo unless `fields` say otherwise): the answer's body."""
    filed = await client.post(
        "/v1/complaints",
        json={
            "category": "public_order",
            "description": "Pedagang berjualan di trotoar depan pasar setiap sore.",
            "latitude": -6.05,
            "longitude": 106.1,
            "district_code": "36.04.05",
            **fields,
        },
        headers=reporter,
    )
    assert filed.status_code == 201, filed.text
    complaint: dict[str, Any] = filed.json()
    return complaint


def pothole_report(photo_id: str, **fields: Any) -> dict[str, Any]:
    """The body of a resident's complaint about a pothole in Kramatwatu, with one photo."""
    return {
        "category": "roads_bridges",
        "description": "Jalan berlubang besar di depan SDN Kramatwatu 1.",
        "latitude": -6.05,
        "longitude": 106.1,
        "district_code": "36.04.05",
        "photo_upload_ids": [photo_id],
        "attributes": {"road_kind": "pothole", "width_m": 1.5},
        **fields,
    }
