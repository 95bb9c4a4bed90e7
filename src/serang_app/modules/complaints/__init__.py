"""Complaints (pengaduan): a problem reported with a photo and a pin, routed to the agency that
must act, followed until it is fixed. Registered through the `serang_app.modules` entry point
like any third-party module; it uses the module contract and the case core only."""

from serang_app.modules.complaints.module import complaints_module

__all__ = ["complaints_module"]
