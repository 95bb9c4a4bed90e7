"""The storage the settings choose: S3 when S3_BUCKET is set, else the local folder."""

from __future__ import annotations

from serang_app.auth.keys import storage_signing_key
from serang_app.settings import Settings
from serang_app.storage.backend import Storage
from serang_app.storage.local import LocalStorage


def open_storage(settings: Settings) -> Storage:
    if settings.s3_bucket:
        # boto3 is imported by the processes that store in S3, not by every start of the app or a
        # CLI command (a tenth of the app's import time: docs/testing.md, "Process starts").
        from serang_app.storage.s3 import S3Storage

        return S3Storage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            path_style=settings.s3_force_path_style,
            public_endpoint_url=settings.s3_public_endpoint_url,
        )
    return LocalStorage(settings.data_path / "storage", storage_signing_key(settings))
