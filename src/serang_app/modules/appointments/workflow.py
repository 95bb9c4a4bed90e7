"""A booking's life, declared as data for the case core.

booked -> checked in (at the counter, on the day) -> called -> being served -> done; or cancelled
by the resident before the cut-off; or a no-show (not checked in by the end of the slot: the
worker's `mark_no_shows`); or cancelled because the office closed that day. Every step goes
through the module's own routes and tasks, which check the day, the place and the seat; the
generic action route offers none of them.
"""

from __future__ import annotations

from serang_app.api import Actor, State, Text, Transition, Workflow

STAFF: tuple[Actor, ...] = ("officer", "supervisor", "admin")
WORKFLOW_CODE = "appointment"

APPOINTMENT_WORKFLOW = Workflow(
    code=WORKFLOW_CODE,
    reference_prefix="JDW",
    # The case is a booking, read by its id (or its case's id).
    object_kind="booking",
    object_path="/v1/appointments/{object_id}",
    # Bookings are served from the desk's queue on their day, not picked up from an inbox: the
    # agency's officers are not told of each one.
    notify_staff_of_new_cases=False,
    initial="booked",
    states=(
        State(code="booked", phase="submitted", title=Text(id="Terjadwal", en="Booked")),
        State(code="checked_in", phase="in_progress", title=Text(id="Sudah hadir", en="Checked in")),
        State(code="called", phase="in_progress", title=Text(id="Dipanggil", en="Called")),
        State(code="serving", phase="in_progress", title=Text(id="Sedang dilayani", en="Being served")),
        State(code="done", phase="completed", title=Text(id="Selesai", en="Done")),
        State(code="cancelled", phase="cancelled", title=Text(id="Dibatalkan", en="Cancelled")),
        State(code="no_show", phase="cancelled", title=Text(id="Tidak hadir", en="Did not come")),
        State(code="office_closed", phase="cancelled", title=Text(id="Kantor tutup", en="Office closed")),
    ),
    transitions=(
        Transition(
            action="cancel",
            title=Text(id="Batalkan", en="Cancel"),
            source=("booked",),
            target="cancelled",
            actors=("resident",),
            module_route_only=True,
        ),
        Transition(
            action="check_in",
            title=Text(id="Catat kehadiran", en="Check in"),
            source=("booked",),
            target="checked_in",
            actors=STAFF,
            module_route_only=True,
        ),
        Transition(
            action="call",
            title=Text(id="Panggil", en="Call"),
            source=("checked_in",),
            target="called",
            actors=STAFF,
            notify="appointments.called",
            module_route_only=True,
        ),
        Transition(
            action="serve",
            title=Text(id="Layani", en="Serve"),
            source=("called",),
            target="serving",
            actors=STAFF,
            module_route_only=True,
        ),
        Transition(
            action="finish",
            title=Text(id="Selesai", en="Finish"),
            source=("serving",),
            target="done",
            actors=STAFF,
            notify="appointments.done",
            module_route_only=True,
        ),
        Transition(
            action="no_show",
            title=Text(id="Tandai tidak hadir", en="Mark as no-show"),
            source=("booked",),
            target="no_show",
            actors=("system",),
            notify="appointments.no_show",
            module_route_only=True,
        ),
        Transition(
            action="close_day",
            title=Text(id="Kantor tutup", en="Office closed"),
            source=("booked",),
            target="office_closed",
            actors=("admin", "system"),
            module_route_only=True,
        ),
    ),
)

BOOKED = "appointments.booked"
REMINDER_DAY = "appointments.reminder_day"
REMINDER_HOUR = "appointments.reminder_hour"
CHECKED_IN = "appointments.checked_in"
DAY_CLOSED = "appointments.day_closed"
RESCHEDULED = "appointments.rescheduled"

TEMPLATES: dict[str, Text] = {
    BOOKED: Text(
        id="Janji temu {reference} tercatat: {when} di {place}. Tunjukkan kode QR di loket.",
        en="Appointment {reference} is booked: {when} at {place}. Show the QR code at the counter.",
    ),
    RESCHEDULED: Text(
        id="Janji temu {reference} dipindah ke {when} di {place}.",
        en="Appointment {reference} moved to {when} at {place}.",
    ),
    REMINDER_DAY: Text(
        id="Besok {when}: janji temu {reference} di {place}. Bawa dokumen yang diminta.",
        en="Tomorrow {when}: appointment {reference} at {place}. Bring the documents asked for.",
    ),
    REMINDER_HOUR: Text(
        id="Satu jam lagi ({when}): janji temu {reference} di {place}.",
        en="In one hour ({when}): appointment {reference} at {place}.",
    ),
    CHECKED_IN: Text(
        id="Anda sudah hadir. Nomor antrean Anda {queue}.",
        en="You are checked in. Your queue number is {queue}.",
    ),
    "appointments.called": Text(
        id="Nomor antrean Anda dipanggil; silakan ke loket ({reference}).",
        en="Your queue number is called; please go to the counter ({reference}).",
    ),
    "appointments.done": Text(
        id="Layanan {reference} selesai. Beri penilaian di aplikasi.",
        en="Appointment {reference} is done. Rate the service in the app.",
    ),
    "appointments.no_show": Text(
        id="Anda tidak hadir pada janji temu {reference}. Silakan buat janji baru bila masih perlu.",
        en="You missed appointment {reference}. Book again if you still need to.",
    ),
    DAY_CLOSED: Text(
        id="Kantor {place} tutup pada {day} ({reason}). Janji temu {reference} dibatalkan; silakan pilih jadwal lain.",
        en="{place} is closed on {day} ({reason}). Appointment {reference} is cancelled; please book another time.",
    ),
}
