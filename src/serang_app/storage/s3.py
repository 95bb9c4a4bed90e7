"""S3-compatible storage through boto3 (AWS S3, SeaweedFS, MinIO, or moto's server in the tests).

boto3 is synchronous: every call that goes over the network runs in a worker thread, so a slow
storage never stalls the event loop. Presigning is local computation and runs inline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from serang_app.storage.backend import ObjectTooLargeError, UploadTarget

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3Storage:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str,
        path_style: bool,
        public_endpoint_url: str | None = None,
    ) -> None:
        self._bucket = bucket
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
        )
        self._client: S3Client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        # Presigned URLs name the host they were signed for, so they are signed for the one phones reach.
        self._presigner: S3Client = (
            boto3.client("s3", endpoint_url=public_endpoint_url, region_name=region, config=config)
            if public_endpoint_url
            else self._client
        )

    def ensure_bucket(self) -> bool:
        """Create the bucket unless it exists (deployment's one-shot set-up); True when it was created."""
        try:
            self._client.head_bucket(Bucket=self._bucket)
            return False
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
        region = self._client.meta.region_name
        if region == "us-east-1":  # the one region S3 refuses a location constraint for
            self._client.create_bucket(Bucket=self._bucket)
        else:
            self._client.create_bucket(
                Bucket=self._bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
        return True

    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int, base_url: str
    ) -> UploadTarget:
        # The policy fixes the key, the type and the size range; S3 refuses a form that breaks it.
        # (moto does not enforce policies, which is why completion checks everything again.)
        post = self._presigner.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_seconds,
        )
        return UploadTarget(method="POST", url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})

    def download_url(self, key: str, expires_seconds: int, base_url: str) -> str:
        url: str = self._presigner.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_seconds
        )
        return url

    async def read(self, key: str, max_bytes: int) -> bytes | None:
        return await anyio.to_thread.run_sync(self._read, key, max_bytes)

    def _read(self, key: str, max_bytes: int) -> bytes | None:
        try:
            response: Any = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        body = response["Body"]
        try:
            if response["ContentLength"] > max_bytes:
                raise ObjectTooLargeError(key)
            data: bytes = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise ObjectTooLargeError(key)
        return data

    async def write(self, key: str, data: bytes, content_type: str) -> None:
        await anyio.to_thread.run_sync(
            lambda: self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)
        )

    async def delete(self, *keys: str) -> None:
        if keys:
            objects: Any = [{"Key": key} for key in keys]
            await anyio.to_thread.run_sync(
                lambda: self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": objects, "Quiet": True})
            )

    async def list_keys(self, prefix: str) -> list[str]:
        def listed() -> list[str]:
            pages: Any = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            return [item["Key"] for page in pages for item in page.get("Contents", [])]

        return await anyio.to_thread.run_sync(listed)
