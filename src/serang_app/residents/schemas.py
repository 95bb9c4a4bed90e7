from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.http.text import DISPLAY_NAME

# Any Kemendagri district or village code; the profile accepts only the configured region's.
DistrictCode = Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}\.\d{2}$", examples=["36.04.05"])]
VillageCode = Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", examples=["36.04.05.2001"])]
Name = Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=120, examples=["Ma\u2019ruf Amin"])]
# The schema admits digit strings; the NIK's own rules (16 digits, region, birth date, serial)
# are checked by residents/nik.py, which explains what is wrong in the resident's language.
NikInput = Annotated[str, msgspec.Meta(pattern=r"^\s*[0-9]{1,32}\s*$", examples=["3604055705900001"])]


class Profile(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    phone: str | None
    name: str | None
    locale: Literal["id", "en"]
    district_code: str | None
    village_code: str | None
    # The full NIK: this profile is only ever shown to its owner.
    nik: str | None
    created_at: datetime


class ProfileUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields to change; a field left out stays as it is, null clears it.

    The phone number is not here: it is the verified identity of the sign-in and changes only by
    signing in with the new number.
    """

    name: Name | msgspec.UnsetType | None = msgspec.UNSET
    locale: Literal["id", "en"] | msgspec.UnsetType = msgspec.UNSET
    district_code: DistrictCode | msgspec.UnsetType | None = msgspec.UNSET
    village_code: VillageCode | msgspec.UnsetType | None = msgspec.UNSET
    nik: NikInput | msgspec.UnsetType | None = msgspec.UNSET
