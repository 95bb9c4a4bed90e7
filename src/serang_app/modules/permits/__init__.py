"""Permits (perizinan): applications drafted with a typed form and required documents, reviewed,
revised, approved. Registered through the `serang_app.modules` entry point like any module."""

from serang_app.modules.permits.module import permits_module

__all__ = ["permits_module"]
