"""The regions domain: the configured regency's or city's districts and villages (docs/regions.md)."""

from __future__ import annotations

from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain
from serang_app.regions.routes import list_regions

REGIONS = CoreDomain(
    name="regions",
    public_routes=(list_regions,),
    problems={
        "region_not_found": ProblemText(
            title=Text(id="Wilayah tidak ditemukan", en="Region not found"),
            detail=Text(
                id="Kode wilayah {code} tidak ada di wilayah layanan ini.",
                en="Region code {code} does not exist in this service's region.",
            ),
        ),
    },
)
