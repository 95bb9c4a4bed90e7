"""moto's S3 server over real HTTP, and a look at what either backend holds, for upload tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from tests.support.processes import free_port

# moto takes any credentials; boto3 insists on having some.
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@contextmanager
def moto_server() -> Iterator[str]:
    """A local S3 endpoint; yields its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def new_bucket(endpoint: str) -> str:
    name = f"uploads-{uuid.uuid4().hex[:12]}"
    _client(endpoint).create_bucket(Bucket=name)
    return name


def s3_keys(endpoint: str, bucket: str) -> list[str]:
    listed = _client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def s3_object(endpoint: str, bucket: str, key: str) -> bytes:
    body: bytes = _client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def local_keys(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and path.suffix != ".type"
    )


def _client(endpoint: str):  # type: ignore[no-untyped-def]  # boto3's client type lives in the stubs
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
