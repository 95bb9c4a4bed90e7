"""The permits module's declaration."""

from __future__ import annotations

from pathlib import Path

from serang_app.api import CatalogueService, ModuleSpec, Permission, ProblemText, Text, words_backfill_task
from serang_app.modules.permits.applications import MODULE, SERVICE
from serang_app.modules.permits.commands import services_command
from serang_app.modules.permits.routes import permits_router
from serang_app.modules.permits.search_words import read_application_words
from serang_app.modules.permits.seeds import seeding
from serang_app.modules.permits.workflow import PERMIT_WORKFLOW, TEMPLATES


def permits_module() -> ModuleSpec:
    return ModuleSpec(
        slug="permits",
        name="Perizinan",
        version="0.1",
        router=permits_router,
        migrations=Path(__file__).parent / "migrations",
        workflows=(PERMIT_WORKFLOW,),
        # The service definitions shipped in the seeds folder, published when missing.
        lifespan=seeding,
        commands=(services_command,),
        permissions=(
            Permission("permits.apply", ("resident",), "Draft, complete and submit permit applications"),
            Permission(
                "permits.read",
                ("resident", "officer", "supervisor", "admin"),
                "Read an application (checked per application)",
            ),
            Permission("permits.review", ("officer", "supervisor"), "Ask for revisions and approve applications"),
            Permission("permits.types.manage", ("admin",), "Add and change permit types"),
            Permission(
                "permits.definitions.manage",
                ("admin",),
                "Define services as data: drafts, preview, trial, publish, close, export and import",
            ),
        ),
        templates=TEMPLATES,
        # Applications submitted before staff search: indexed in the background, then nothing more to do.
        tasks=(words_backfill_task(MODULE, read_application_words),),
        services=(
            CatalogueService(
                code=SERVICE,
                # Each permit type names its agency and SLA; the catalogue entry is the front door.
                opd_code="DPMPTSP",
                title=Text(id="Perizinan", en="Permits"),
                description=Text(
                    id="Ajukan surat keterangan usaha, izin reklame, penelitian, keramaian dan lainnya.",
                    en="Apply for business certificates, advertisement, research, event permits and more.",
                ),
                icon="permit",
                sla_days=5,
                sort_order=20,
            ),
        ),
        problems={
            "permits_holder_name_missing": ProblemText(
                title=Text(id="Nama pemegang izin belum diisi", en="The holder's name is missing"),
                detail=Text(
                    id="Izin dicetak atas nama pemohon. Pemohon perlu mengisi nama lengkap di profil (kolom {field}) "
                    "sebelum izin diterbitkan.",
                    en="A permit is issued in the applicant's name. The applicant must fill in their full name in "
                    "the profile (field {field}) before the permit is issued.",
                ),
            ),
            "permits_type_exists": ProblemText(
                title=Text(id="Jenis izin sudah ada", en="The permit type exists"),
                detail=Text(id="Jenis izin {code} sudah ada.", en="The permit type {code} exists already."),
            ),
            "permits_not_issued": ProblemText(
                title=Text(id="Izin belum terbit", en="Not issued yet"),
                detail=Text(
                    id="Dokumen izin tersedia setelah izin diterbitkan.",
                    en="The permit document is there once the permit is issued.",
                ),
            ),
            "permits_type_closed": ProblemText(
                title=Text(id="Layanan izin ditutup", en="This permit is closed"),
                detail=Text(
                    id="Jenis izin ini tidak lagi menerima permohonan baru.",
                    en="This permit type no longer takes new applications.",
                ),
            ),
            "permits_not_editable": ProblemText(
                title=Text(id="Tidak dapat diubah", en="Cannot be changed"),
                detail=Text(
                    id="Permohonan ini sedang diperiksa atau sudah selesai; perubahan hanya saat draf atau diminta perbaikan.",
                    en="This application is in review or finished; it changes only as a draft or when a revision is asked for.",
                ),
            ),
            "permits_definition_exists": ProblemText(
                title=Text(id="Layanan sudah ada", en="The service exists"),
                detail=Text(
                    id="Layanan dengan kode {code} sudah ada.", en="A service with the code {code} exists already."
                ),
            ),
            "permits_not_eligible": ProblemText(
                title=Text(id="Belum memenuhi syarat pemohon", en="Not eligible yet"),
                detail=Text(
                    id="Layanan ini hanya untuk pemohon yang melengkapi profil (kolom {field}).",
                    en="This service is for applicants who completed their profile (field {field}).",
                ),
            ),
            "permits_no_revisions": ProblemText(
                title=Text(id="Tanpa perbaikan", en="No revisions"),
                detail=Text(
                    id="Layanan ini tidak memakai putaran perbaikan; tolak atau setujui permohonan.",
                    en="This service has no revision rounds; reject or approve the application.",
                ),
            ),
            "permits_no_letter": ProblemText(
                title=Text(id="Tanpa surat", en="No letter"),
                detail=Text(
                    id="Layanan ini tidak berakhir dengan surat yang diterbitkan.",
                    en="This service does not end with an issued letter.",
                ),
            ),
            "permits_needs_supervisor": ProblemText(
                title=Text(id="Perlu persetujuan kepala", en="A supervisor approves"),
                detail=Text(
                    id="Izin jenis ini disetujui oleh kepala bidang.",
                    en="Permits of this type are approved by a supervisor.",
                ),
            ),
        },
    )
