"""The app configuration domain: minimum versions, the maintenance notice, feature switches."""

from __future__ import annotations

from serang_app.app_config.routes import change_app_config, get_app_config
from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain

APP_CONFIG = CoreDomain(
    name="app_config",
    public_routes=(get_app_config,),
    signed_in_routes=(change_app_config,),
    permissions=(
        Permission(
            "app_config.manage", ("admin",), "Set minimum app versions, the maintenance notice and feature switches"
        ),
    ),
    problems={
        "app_update_required": ProblemText(
            title=Text(id="Perbarui aplikasi", en="Update the app"),
            detail=Text(
                id="Versi aplikasi ini tidak lagi didukung; perbarui ke versi {min_version} atau lebih baru.",
                en="This version of the app is no longer supported; update to version {min_version} or later.",
            ),
        ),
    },
)
