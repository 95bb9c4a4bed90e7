"""Uploading a file the way the app does: start, send where the answer says, complete."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

JPEG = "image/jpeg"


def photo_with_gps(width: int = 400, height: int = 200) -> bytes:
    """A JPEG taken "on its side" (EXIF orientation 6) with a GPS position and a camera model."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue: shows the rotation
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif[0x0110] = "Kamera Uji"
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (6.0, 7.0, 8.0)
    gps[3] = "E"
    gps[4] = (106.0, 9.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def start(
    client: Any, auth: dict[str, str], data: bytes, content_type: str, purpose: str = "complaint_photo"
) -> Any:
    return await client.post(
        "/v1/uploads", json={"purpose": purpose, "content_type": content_type, "size": len(data)}, headers=auth
    )


async def send(client: Any, form: dict[str, Any], data: bytes, content_type: str) -> httpx.Response:
    """Send the file the way the answer says: PUT to the app (local) or a form POST to S3."""
    if form["method"] == "PUT":
        response: httpx.Response = await client.put(form["url"], content=data, headers=form["headers"])
        return response
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        return await http.post(form["url"], data=form["fields"], files={"file": ("upload", data, content_type)})


async def upload(
    client: Any, auth: dict[str, str], data: bytes, content_type: str = JPEG, purpose: str = "complaint_photo"
) -> tuple[str, httpx.Response]:
    started, completed = await upload_keeping_form(client, auth, data, content_type, purpose)
    return started["id"], completed


async def upload_keeping_form(
    client: Any, auth: dict[str, str], data: bytes, content_type: str = JPEG, purpose: str = "complaint_photo"
) -> tuple[dict[str, Any], httpx.Response]:
    """Start, send and complete; the started upload (its id, and the form to send with again)
    and the completion's answer."""
    started = await start(client, auth, data, content_type, purpose)
    assert started.status_code == 201, started.text
    sent = await send(client, started.json()["upload"], data, content_type)
    assert sent.status_code in (200, 201, 204), sent.text
    upload_id: str = started.json()["id"]
    return started.json(), await client.post(f"/v1/uploads/{upload_id}/complete", headers=auth)
