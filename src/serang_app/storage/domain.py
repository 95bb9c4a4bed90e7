"""The storage domain: in development, the local backend's presigned URLs (S3 serves its own)."""

from __future__ import annotations

from serang_app.declaration import CoreDomain
from serang_app.settings import Settings
from serang_app.storage.limits import ObjectLimits
from serang_app.storage.local_routes import local_storage_controller


def _local_backend(settings: Settings) -> bool:
    return settings.storage_backend == "local"


def storage_domain(accepted: ObjectLimits) -> CoreDomain:
    """The domain, its routes taking the objects ``accepted`` describes (given by uploads)."""
    return CoreDomain(name="storage", public_routes=(local_storage_controller(accepted),), routes_when=_local_backend)
