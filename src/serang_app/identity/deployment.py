"""The deployment's identity: the region it serves and the government that runs it.

Built once per process from the settings: each part an operator leaves unset follows from the
region's Kepmendagri name (SERANG_REGION_CODE), so choosing the region is enough to stop every
letter and public page naming another one. It changes with a deploy, as the region does.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from serang_app.bilingual import Text
from serang_app.identity.names import english_region_name, government_name
from serang_app.regions.reference_data import regencies
from serang_app.settings import Settings


class DeploymentIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Who runs this service, as phones, letters and other systems are told."""

    region_code: Annotated[str, msgspec.Meta(description="The region's Kemendagri code", examples=["36.01"])]
    region_name: Annotated[
        str, msgspec.Meta(description="The region's Kepmendagri name", examples=["Kabupaten Pandeglang"])
    ]
    region_name_en: Annotated[str, msgspec.Meta(description="The region in English", examples=["Pandeglang Regency"])]
    government_name: Annotated[
        str,
        msgspec.Meta(
            description="The government running the service, as its letters name it",
            examples=["Pemerintah Kabupaten Pandeglang"],
        ),
    ]
    address: Annotated[str | None, msgspec.Meta(description="The government's address, when configured")] = None
    contact: Annotated[str, msgspec.Meta(description="Whom to contact about the service")]
    logo_url: Annotated[str | None, msgspec.Meta(description="The government's logo (https), when configured")] = None


def service_title(identity: DeploymentIdentity) -> Text:
    """ "Layanan Kota Cilegon" / "Cilegon City services": the heading of a push, and of an inbox item
    about no particular service, so the phone shows whose message it is."""
    return Text(id=f"Layanan {identity.region_name}", en=f"{identity.region_name_en} services")


def deployment_identity(settings: Settings) -> DeploymentIdentity:
    region_name = regencies()[settings.region_code].name
    government = _given(settings.deployment_name) or government_name(region_name)
    return DeploymentIdentity(
        region_code=settings.region_code,
        region_name=region_name,
        region_name_en=english_region_name(region_name),
        government_name=government,
        address=_given(settings.deployment_address),
        contact=_given(settings.deployment_contact) or government,
        logo_url=settings.deployment_logo_url,
    )


def _given(value: str | None) -> str | None:
    """A setting with its surrounding spaces removed; None when nothing is left."""
    return value.strip() or None if value is not None else None
