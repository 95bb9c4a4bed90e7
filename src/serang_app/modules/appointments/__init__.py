"""Appointments (janji temu): civil-registry bookings with real capacity, check-in, no-shows and
reminders. See docs/appointments.md."""

from serang_app.modules.appointments.module import appointments_module

__all__ = ["appointments_module"]
