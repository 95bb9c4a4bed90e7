"""Migrations and a home screen's worth of catalogue services, so /v1/services has a real body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import msgspec

from serang_app.db.migrations import apply_migrations
from serang_app.lifespan import migration_sources
from serang_app.module_system.spec import ModuleSpec

# The example module the project ships; its services are the natural ones to seed.
PREFERRED_MODULE = "seedlings"

_INSERT = """
INSERT INTO catalogue_services
    (code, module, opd_code, title, description, icon, sla_days, requirements, is_open, sort_order)
VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8::jsonb, $9, $10)
ON CONFLICT (code) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class SeedService:
    key: str
    opd_code: str
    title: tuple[str, str]  # (Indonesian, English)
    description: tuple[str, str]
    icon: str
    sla_days: int | None
    requirements: tuple[tuple[str, str], ...]


# Twelve entries with texts of the length real ones have: the size of the body is what matters
# to the benchmark, and a home screen shows about this many services.
SERVICES: tuple[SeedService, ...] = (
    SeedService(
        "road_damage",
        "DPUPR",
        ("Laporan Jalan Rusak", "Road Damage Report"),
        (
            "Laporkan jalan berlubang atau rusak di jalan kabupaten beserta foto dan lokasinya.",
            "Report potholes or damaged regency roads with a photo and the location.",
        ),
        "road",
        5,
        (("Foto kerusakan", "Photo of the damage"), ("Titik lokasi", "Location pin")),
    ),
    SeedService(
        "street_light",
        "DISHUB",
        ("Penerangan Jalan Umum Padam", "Street Light Outage"),
        (
            "Laporkan lampu penerangan jalan umum yang mati atau berkedip.",
            "Report a street light that is off or flickering.",
        ),
        "lightbulb",
        3,
        (("Foto tiang lampu", "Photo of the light pole"), ("Titik lokasi", "Location pin")),
    ),
    SeedService(
        "waste",
        "DLH",
        ("Sampah Menumpuk", "Uncollected Waste"),
        (
            "Laporkan tumpukan sampah liar atau jadwal angkut sampah yang terlewat.",
            "Report illegal dumping or a missed waste collection.",
        ),
        "trash",
        3,
        (("Foto tumpukan sampah", "Photo of the waste"),),
    ),
    SeedService(
        "flood",
        "BPBD",
        ("Laporan Banjir dan Bencana", "Flood and Disaster Report"),
        (
            "Sampaikan kejadian banjir, longsor atau pohon tumbang agar petugas segera menangani.",
            "Report a flood, landslide or fallen tree so that the response team can act quickly.",
        ),
        "warning",
        1,
        (("Foto kejadian", "Photo of the event"), ("Titik lokasi", "Location pin")),
    ),
    SeedService(
        "family_card",
        "DISDUKCAPIL",
        ("Perubahan Kartu Keluarga", "Family Card Update"),
        (
            "Ajukan perubahan data Kartu Keluarga karena kelahiran, kematian, pindah atau perubahan status.",
            "Apply to update a Family Card after a birth, a death, a move or a change of status.",
        ),
        "family",
        3,
        (
            ("Kartu Keluarga lama", "Current Family Card"),
            ("KTP-el kepala keluarga", "Head of family's e-ID"),
            ("Dokumen pendukung", "Supporting document"),
        ),
    ),
    SeedService(
        "birth_certificate",
        "DISDUKCAPIL",
        ("Akta Kelahiran", "Birth Certificate"),
        (
            "Ajukan akta kelahiran anak; dokumen dapat diambil di kantor kecamatan setelah selesai.",
            "Apply for a child's birth certificate; collect it at the district office when ready.",
        ),
        "baby",
        5,
        (
            ("Surat keterangan lahir", "Birth statement from the clinic"),
            ("Kartu Keluarga", "Family Card"),
            ("Buku nikah orang tua", "Parents' marriage certificate"),
        ),
    ),
    SeedService(
        "civil_registry_appointment",
        "DISDUKCAPIL",
        ("Janji Temu Dukcapil", "Civil Registry Appointment"),
        (
            "Pesan jadwal kedatangan ke kantor Disdukcapil agar tidak perlu antre lama.",
            "Book a time at the civil registry office instead of queueing.",
        ),
        "calendar",
        None,
        (),
    ),
    SeedService(
        "business_permit",
        "DPMPTSP",
        ("Izin Usaha Mikro", "Micro Business Permit"),
        (
            "Ajukan izin usaha mikro dan kecil; pemohon akan dihubungi bila berkas perlu dilengkapi.",
            "Apply for a micro or small business permit; you are contacted if documents are missing.",
        ),
        "store",
        10,
        (
            ("KTP-el pemilik", "Owner's e-ID"),
            ("NPWP", "Tax number (NPWP)"),
            ("Foto tempat usaha", "Photo of the business premises"),
        ),
    ),
    SeedService(
        "building_permit",
        "DPMPTSP",
        ("Persetujuan Bangunan Gedung", "Building Approval"),
        (
            "Ajukan persetujuan bangunan gedung (PBG) untuk rumah tinggal sederhana.",
            "Apply for a building approval (PBG) for a simple dwelling.",
        ),
        "building",
        14,
        (
            ("Sertifikat tanah", "Land certificate"),
            ("Gambar rencana bangunan", "Building plans"),
            ("KTP-el pemohon", "Applicant's e-ID"),
        ),
    ),
    SeedService(
        "health_complaint",
        "DINKES",
        ("Pengaduan Layanan Kesehatan", "Health Service Complaint"),
        (
            "Sampaikan keluhan tentang pelayanan puskesmas atau rumah sakit daerah.",
            "Complain about the service at a community health centre or the regional hospital.",
        ),
        "health",
        5,
        (("Nama fasilitas kesehatan", "Name of the health facility"),),
    ),
    SeedService(
        "social_aid",
        "DINSOS",
        ("Usulan Bantuan Sosial", "Social Assistance Proposal"),
        (
            "Usulkan warga yang membutuhkan untuk didata sebagai penerima bantuan sosial.",
            "Propose a resident in need for registration as a social assistance recipient.",
        ),
        "hands",
        14,
        (("KTP-el yang diusulkan", "Proposed resident's e-ID"), ("Foto rumah", "Photo of the house")),
    ),
    SeedService(
        "plant_seedlings",
        "DISTAN",
        ("Permohonan Bibit Tanaman", "Plant Seedling Request"),
        (
            "Minta bibit tanaman produktif untuk kelompok tani atau pekarangan rumah.",
            "Request productive plant seedlings for a farmers' group or a home garden.",
        ),
        "sprout",
        10,
        (("KTP-el pemohon", "Applicant's e-ID"), ("Luas lahan", "Size of the land")),
    ),
)


def seed_module(specs: Sequence[ModuleSpec]) -> str:
    """The module slug to file the seeded services under.

    The catalogue shows only services of enabled modules, so the seed goes under the example
    module when it is enabled, else under the first enabled module. With no module enabled the
    rows still go in (the catalogue query then filters real rows, as it would in production) but
    /v1/services answers an empty list; the caller warns about that.
    """
    slugs = [spec.slug for spec in specs]
    if PREFERRED_MODULE in slugs or not slugs:
        return PREFERRED_MODULE
    return slugs[0]


async def prepare_database(dsn: str, specs: Sequence[ModuleSpec], module: str) -> int:
    """Apply the migrations the service would apply, then insert the seed services; returns how many."""
    await apply_migrations(dsn, migration_sources(specs))
    rows = [
        (
            f"{module}.{service.key}",
            module,
            service.opd_code,
            _json({"id": service.title[0], "en": service.title[1]}),
            _json({"id": service.description[0], "en": service.description[1]}),
            service.icon,
            service.sla_days,
            _json([{"id": indonesian, "en": english} for indonesian, english in service.requirements]),
            True,
            (position + 1) * 10,
        )
        for position, service in enumerate(SERVICES)
    ]
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.executemany(_INSERT, rows)
    finally:
        await connection.close()
    return len(rows)


def _json(value: object) -> str:
    # A plain connection (not the app's pool) has no JSON codec: jsonb parameters go in as text.
    return msgspec.json.encode(value).decode()
