"""The appointments module's declaration."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.di import Provide

from serang_app.api import CatalogueService, ModuleSpec, ModuleTask, Permission, ProblemText, Text
from serang_app.modules.appointments.admin_routes import ADMIN_ROUTES
from serang_app.modules.appointments.booking import SERVICE
from serang_app.modules.appointments.desk_routes import DESK_ROUTES
from serang_app.modules.appointments.no_shows import no_show_task
from serang_app.modules.appointments.offers import offering
from serang_app.modules.appointments.routes import RESIDENT_ROUTES
from serang_app.modules.appointments.rules import Clock, load_rules, system_clock
from serang_app.modules.appointments.workflow import APPOINTMENT_WORKFLOW, TEMPLATES


def _problem(title_id: str, title_en: str, detail_id: str, detail_en: str) -> ProblemText:
    return ProblemText(title=Text(id=title_id, en=title_en), detail=Text(id=detail_id, en=detail_en))


PROBLEMS = {
    "appointments_slot_full": _problem(
        "Slot penuh", "Slot full", "Kursi pada jam ini sudah habis; pilih jam lain.", "This slot is full; pick another."
    ),
    "appointments_already_booked": _problem(
        "Sudah punya janji",
        "Already booked",
        "Anda sudah punya janji temu aktif untuk layanan ini; batalkan atau pindahkan jadwalnya.",
        "You already have an active booking for this service; cancel or reschedule it.",
    ),
    "appointments_daily_limit": _problem(
        "Batas harian",
        "Daily limit",
        "Paling banyak {limit} janji temu per hari; coba lagi besok.",
        "At most {limit} bookings a day; try again tomorrow.",
    ),
    "appointments_day_closed": _problem(
        "Kantor tutup",
        "Office closed",
        "Kantor tutup pada {day}: {reason}.",
        "The office is closed on {day}: {reason}.",
    ),
    "appointments_beyond_horizon": _problem(
        "Belum dibuka",
        "Not open yet",
        "Janji temu bisa dibuat paling jauh {days} hari ke depan.",
        "Bookings open at most {days} days ahead.",
    ),
    "appointments_past_cutoff": _problem(
        "Sudah lewat batas waktu",
        "Too late",
        "Janji temu dibuat, dibatalkan atau dipindah paling lambat {minutes} menit sebelum jadwal.",
        "Bookings are made, cancelled or moved at least {minutes} minutes before the slot.",
    ),
    "appointments_not_waiting": _problem(
        "Tidak bisa diproses",
        "Not possible now",
        "Janji temu ini sudah hadir, selesai atau dibatalkan.",
        "This booking is already checked in, done or cancelled.",
    ),
    "appointments_wrong_place": _problem(
        "Tempat berbeda",
        "Another place",
        "Janji temu ini di {place}.",
        "This booking is at {place}.",
    ),
    "appointments_wrong_day": _problem(
        "Bukan hari ini",
        "Not today",
        "Janji temu ini untuk tanggal {day}; kehadiran dicatat hanya pada hari itu.",
        "This booking is for {day}; check-in is only on that day.",
    ),
    "appointments_wrong_step": _problem(
        "Urutan tidak sesuai",
        "Out of order",
        "Antrean ini berstatus {status}.",
        "This queue entry is {status}.",
    ),
}


def appointments_module(clock: Clock = system_clock) -> ModuleSpec:
    """`clock`: the time the booking rules and the no-show task see (tests drive it)."""
    rules = load_rules(clock)
    router = Router(
        path="/",
        route_handlers=[*RESIDENT_ROUTES, *DESK_ROUTES, *ADMIN_ROUTES],
        dependencies={"rules": Provide(lambda: rules, use_cache=True, sync_to_thread=False)},
    )
    return ModuleSpec(
        slug="appointments",
        name="Janji temu",
        version="0.1",
        router=router,
        migrations=Path(__file__).parent / "migrations",
        workflows=(APPOINTMENT_WORKFLOW,),
        lifespan=offering,
        permissions=(
            Permission("appointments.book", ("resident",), "Book, cancel and reschedule appointments"),
            Permission(
                "appointments.read",
                ("resident", "officer", "supervisor", "admin"),
                "Read a booking (checked per booking)",
            ),
            Permission(
                "appointments.desk", ("officer", "supervisor", "admin"), "Check in, call and serve at the counter"
            ),
            Permission("appointments.manage", ("admin",), "Edit services, places, schedules and closed days"),
        ),
        templates=TEMPLATES,
        services=(
            CatalogueService(
                code=SERVICE,
                opd_code="DISDUKCAPIL",
                title=Text(id="Janji temu Disdukcapil", en="Civil registry appointments"),
                description=Text(
                    id="Pesan jam layanan KTP-el, Kartu Keluarga, akta kelahiran dan kematian, pindah datang.",
                    en="Book a time for ID cards, family cards, birth and death certificates, moving.",
                ),
                icon="calendar",
                sort_order=30,
            ),
        ),
        problems=PROBLEMS,
        # A slot ends on the half hour; a minute later it is marked.
        tasks=(ModuleTask(name="mark_no_shows", interval_seconds=60, run=no_show_task(clock)),),
    )
