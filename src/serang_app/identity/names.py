"""Names that follow from a region's Kepmendagri name, which starts with its kind of government:
"Kabupaten ..." (a regency, led by a bupati) or "Kota ..." (a city, led by a wali kota), with
"Administrasi" after it for DKI Jakarta's five cities and one regency."""

from __future__ import annotations

# The Kepmendagri prefix, and the English kind that follows the place name ("Pandeglang Regency").
_KINDS = (
    ("Kabupaten Administrasi ", "Administrative Regency"),
    ("Kota Administrasi ", "Administrative City"),
    ("Kabupaten ", "Regency"),
    ("Kota ", "City"),
)


def government_name(region_name: str) -> str:
    """The government of a region, as a letter names it: "Pemerintah Kota Cilegon"."""
    return f"Pemerintah {region_name}"


def english_region_name(region_name: str) -> str:
    """ "Kabupaten Pandeglang" -> "Pandeglang Regency", "Kota Cilegon" -> "Cilegon City"; a name
    without a known prefix is kept as it is."""
    for prefix, kind in _KINDS:
        if region_name.startswith(prefix):
            return f"{region_name.removeprefix(prefix)} {kind}"
    return region_name
