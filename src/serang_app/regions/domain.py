"""The regions domain: the regency's districts and villages."""

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
                id="Kode wilayah {code} tidak ada di Kabupaten Serang.",
                en="Region code {code} does not exist in Kabupaten Serang.",
            ),
        ),
    },
)
