"""The time zone a region keeps its offices' hours in, from its province.

Indonesia has three zones (Presidential Decree 41/1987): WIB (UTC+7), WITA (UTC+8) and WIT
(UTC+9). Each follows province borders, so the first two digits of a region code decide it. The
IANA zone is named rather than the offset: it is what the `zoneinfo` database, PostgreSQL's
`AT TIME ZONE` and the apps all understand, and the abbreviation it carries (WIB, WITA, WIT) is
the one printed on documents. West and Central Kalimantan are WIB like Java, but the IANA
database gives them their own zone, Asia/Pontianak (they kept WITA until the decree took effect
on 1 January 1988); the two agree on every date since then. docs/time-zones.md lists the table and its reasons.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from zoneinfo import ZoneInfo

_WIB = "Asia/Jakarta"
_WIB_KALIMANTAN = "Asia/Pontianak"
_WITA = "Asia/Makassar"
_WIT = "Asia/Jayapura"

# Every one of the 38 provinces in the national region list (Kemendagri codes), by code.
PROVINCE_ZONES = MappingProxyType(
    {
        # Sumatra and its islands
        "11": _WIB,  # Aceh
        "12": _WIB,  # Sumatera Utara
        "13": _WIB,  # Sumatera Barat
        "14": _WIB,  # Riau
        "15": _WIB,  # Jambi
        "16": _WIB,  # Sumatera Selatan
        "17": _WIB,  # Bengkulu
        "18": _WIB,  # Lampung
        "19": _WIB,  # Kepulauan Bangka Belitung
        "21": _WIB,  # Kepulauan Riau
        # Java
        "31": _WIB,  # DKI Jakarta
        "32": _WIB,  # Jawa Barat
        "33": _WIB,  # Jawa Tengah
        "34": _WIB,  # DI Yogyakarta
        "35": _WIB,  # Jawa Timur
        "36": _WIB,  # Banten
        # Bali and Nusa Tenggara
        "51": _WITA,  # Bali
        "52": _WITA,  # Nusa Tenggara Barat
        "53": _WITA,  # Nusa Tenggara Timur
        # Kalimantan: the west and centre keep WIB, the south, east and north WITA
        "61": _WIB_KALIMANTAN,  # Kalimantan Barat
        "62": _WIB_KALIMANTAN,  # Kalimantan Tengah
        "63": _WITA,  # Kalimantan Selatan
        "64": _WITA,  # Kalimantan Timur
        "65": _WITA,  # Kalimantan Utara
        # Sulawesi
        "71": _WITA,  # Sulawesi Utara
        "72": _WITA,  # Sulawesi Tengah
        "73": _WITA,  # Sulawesi Selatan
        "74": _WITA,  # Sulawesi Tenggara
        "75": _WITA,  # Gorontalo
        "76": _WITA,  # Sulawesi Barat
        # Maluku and Papua
        "81": _WIT,  # Maluku
        "82": _WIT,  # Maluku Utara
        "91": _WIT,  # Papua
        "92": _WIT,  # Papua Barat
        "93": _WIT,  # Papua Selatan
        "94": _WIT,  # Papua Tengah
        "95": _WIT,  # Papua Pegunungan
        "96": _WIT,  # Papua Barat Daya
    }
)

_REGION_CODE = re.compile(r"(\d\d)(\.\d\d)*")


class UnknownProvinceError(ValueError):
    """The region code's province is not one of Indonesia's."""


def time_zone_of_region(region_code: str) -> ZoneInfo:
    """The zone of the province a region (36.01, 51.71, 91.71.01) lies in."""
    match = _REGION_CODE.fullmatch(region_code)
    if match is None:
        raise UnknownProvinceError(f"{region_code!r} is not a region code such as 36.01")
    name = PROVINCE_ZONES.get(match.group(1))
    if name is None:
        raise UnknownProvinceError(f"no Indonesian province has the code {match.group(1)} (of {region_code})")
    return ZoneInfo(name)
