"""Load for POST /v1/complaints: each connection files complaints as its own resident, each with
a new Idempotency-Key and a pin alone (the district and village are found from it), near a
random village of the regency, and counts any answer but 201 as an error. The bare ceiling gets
the same requests."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

import msgspec
import shapely
from shapely.geometry import shape

from bench.load import LoadResult, result_from
from bench.posting import post_json
from serang_app.regions.reference_data import data_folder


def village_points() -> list[tuple[float, float]]:
    """A point inside each village of the regency, as (latitude, longitude)."""
    collection = msgspec.json.decode((data_folder() / "boundaries" / "serang_villages.geojson").read_bytes())
    points = [shapely.get_coordinates(shape(f["geometry"]).representative_point())[0] for f in collection["features"]]
    return [(float(y), float(x)) for x, y in points]


_POINTS = village_points()


def _draft(rng: random.Random) -> bytes:
    latitude, longitude = rng.choice(_POINTS)
    return msgspec.json.encode(
        {
            "category": "street_lights",
            "description": "Lampu jalan mati di depan sekolah sejak tiga hari.",
            "latitude": latitude,
            "longitude": longitude,
        }
    )


async def _connection(port: int, token: str | None, deadline: float, latencies: list[float], errors: list[int]) -> None:
    rng = random.Random()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            headers = {"Idempotency-Key": uuid.uuid4().hex}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            sent = time.perf_counter()
            status, _ = await post_json(reader, writer, port, "/v1/complaints", _draft(rng), headers)
            latencies.append(time.perf_counter() - sent)
            if status != 201:
                errors.append(status)
    finally:
        writer.close()


def run_complaint_load(port: int, tokens: list[str | None], seconds: int) -> LoadResult:
    """One connection per token (None: no Authorization header, for the bare app)."""

    async def drive() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_connection(port, token, deadline, latencies, errors) for token in tokens))
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(drive())
    return result_from(latencies, elapsed, len(errors))
