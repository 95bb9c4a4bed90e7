"""The complaints module's declaration."""

from __future__ import annotations

import os
from pathlib import Path

from serang_app.api import CatalogueService, ModuleSpec, Permission, ProblemText, Text, words_backfill_task
from serang_app.modules.complaints.filing import MODULE, SERVICE
from serang_app.modules.complaints.open311.routes import open311_router
from serang_app.modules.complaints.routes import complaints_router
from serang_app.modules.complaints.search_words import read_complaint_words
from serang_app.modules.complaints.workflow import TEMPLATES, complaint_workflow

# A resolved complaint closes by itself after this many days unless the resident rates it
# (which closes it) or reopens it (possible until then).
CLOSE_AFTER_DAYS_ENV = "SERANG_COMPLAINTS_CLOSE_AFTER_DAYS"
DEFAULT_CLOSE_AFTER_DAYS = 7


def close_after_days() -> int:
    value = os.environ.get(CLOSE_AFTER_DAYS_ENV, "")
    if not value:
        return DEFAULT_CLOSE_AFTER_DAYS
    if not value.isdigit() or not 1 <= int(value) <= 365:
        raise ValueError(f"{CLOSE_AFTER_DAYS_ENV}: expected a number of days from 1 to 365, got {value!r}")
    return int(value)


def complaints_module() -> ModuleSpec:
    return ModuleSpec(
        slug="complaints",
        name="Pengaduan",
        version="1.0",
        router=complaints_router,
        root_router=open311_router,
        migrations=Path(__file__).parent / "migrations",
        workflows=(complaint_workflow(close_after_days()),),
        permissions=(
            Permission("complaints.report", ("resident",), "Report a problem"),
            Permission("complaints.support", ("resident",), "Support (follow) another resident's public complaint"),
            Permission(
                "complaints.read",
                ("resident", "officer", "supervisor", "admin"),
                "Read a complaint in full (checked per complaint)",
            ),
            Permission("complaints.merge", ("officer", "supervisor"), "Merge duplicate complaints"),
            Permission(
                "complaints.moderate",
                ("officer", "supervisor", "admin"),
                "Hide a public complaint's text or photo from the public, or show it again (checked per complaint)",
            ),
            Permission("complaints.categories.manage", ("admin",), "Add and change complaint categories"),
            Permission("complaints.open311.manage", ("admin",), "Issue and revoke Open311 API keys"),
        ),
        templates=TEMPLATES,
        # Complaints filed before staff search: indexed in the background, then nothing more to do.
        tasks=(words_backfill_task(MODULE, read_complaint_words),),
        services=(
            CatalogueService(
                code=SERVICE,
                # Each category names the agency that acts; the catalogue entry is the front door.
                opd_code="DISKOMINFOSATIK",
                title=Text(id="Pengaduan", en="Complaints"),
                description=Text(
                    id="Laporkan jalan rusak, sampah, banjir dan masalah lain dengan foto dan lokasi.",
                    en="Report broken roads, rubbish, flooding and other problems with a photo and a location.",
                ),
                icon="complaint",
                sla_days=5,
                sort_order=10,
            ),
        ),
        problems={
            "complaints_own_report": ProblemText(
                title=Text(id="Laporan Anda sendiri", en="Your own report"),
                detail=Text(
                    id="Anda tidak perlu mendukung laporan Anda sendiri; Anda sudah mendapat kabarnya.",
                    en="You need not support your own report; you are already kept informed.",
                ),
            ),
            "complaints_closed": ProblemText(
                title=Text(id="Laporan sudah ditutup", en="Report closed"),
                detail=Text(
                    id="Laporan ini sudah selesai atau digabung; dukungan tidak lagi diterima.",
                    en="This report is finished or merged; it takes no more support.",
                ),
            ),
            "complaints_not_public": ProblemText(
                title=Text(id="Laporan tidak publik", en="Report not public"),
                detail=Text(
                    id="Laporan ini tidak ditampilkan untuk umum; tidak ada yang perlu disembunyikan.",
                    en="This report is not shown to the public; there is nothing to hide.",
                ),
            ),
            "complaints_already_hidden": ProblemText(
                title=Text(id="Sudah disembunyikan", en="Already hidden"),
                detail=Text(
                    id="Bagian laporan ini sudah disembunyikan dari umum.",
                    en="This part of the report is already hidden from the public.",
                ),
            ),
            "complaints_not_hidden": ProblemText(
                title=Text(id="Tidak disembunyikan", en="Not hidden"),
                detail=Text(
                    id="Bagian laporan ini tidak sedang disembunyikan dari umum.",
                    en="This part of the report is not hidden from the public.",
                ),
            ),
            "complaints_category_exists": ProblemText(
                title=Text(id="Kategori sudah ada", en="Category exists"),
                detail=Text(id="Kode kategori {code} sudah dipakai.", en="The category code {code} is taken."),
            ),
        },
    )
