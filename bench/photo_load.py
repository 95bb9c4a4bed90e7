"""Completing photos while another endpoint is under load: what one large image costs the others.

One Python client completes 4000x3000 JPEG photos one after another (start, send, complete), as
phones would, while wrk keeps GET /v1/services busy; the completion's time per photo and the
catalogue's p99 beside its p99 alone are the figures.
"""

from __future__ import annotations

import io
import time

import httpx
from PIL import Image

from bench.load import LoadResult, result_from

PHOTO_SIZE = (4000, 3000)


def make_photo(size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A 12-megapixel JPEG with camera noise (so it compresses like a real photo, a few MB) and
    the EXIF a phone writes: orientation and a GPS position."""
    width, height = size
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge("RGB", (noise, noise.rotate(180), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 7.0, 8.0), "E", (106.0, 9.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def complete_photos(base_url: str, access_token: str, photo: bytes, seconds: float) -> LoadResult:
    """Upload and complete photos back to back for `seconds`; the figures are the completions'."""
    headers = {"Authorization": f"Bearer {access_token}"}
    latencies: list[float] = []
    errors = 0
    started_at = time.monotonic()
    with httpx.Client(base_url=base_url, headers=headers, timeout=60, trust_env=False) as http:
        while time.monotonic() - started_at < seconds:
            started = http.post(
                "/v1/uploads", json={"purpose": "complaint_photo", "content_type": "image/jpeg", "size": len(photo)}
            )
            if started.status_code != 201:
                errors += 1
                continue
            form = started.json()["upload"]
            if form["method"] == "PUT":
                sent = httpx.put(form["url"], content=photo, headers=form["headers"], timeout=60, trust_env=False)
            else:
                sent = httpx.post(form["url"], data=form["fields"], files={"file": ("photo.jpg", photo)}, timeout=60)
            if sent.status_code >= 300:
                errors += 1
                continue
            before = time.perf_counter()
            completed = http.post(f"/v1/uploads/{started.json()['id']}/complete")
            latencies.append(time.perf_counter() - before)
            if completed.status_code != 200:
                errors += 1
    return result_from(latencies, time.monotonic() - started_at, errors)
