"""The agencies (OPD) domain: listing, creating and closing the regency's agencies."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain
from serang_app.opds.routes import OpdAdminController

OPDS = CoreDomain(
    name="opds",
    signed_in_routes=(OpdAdminController,),
    permissions=(
        Permission("opds.read", ("officer", "supervisor", "admin"), "List the agencies"),
        Permission("opds.manage", ("admin",), "Create and change agencies"),
    ),
    problems={
        "opd_exists": ProblemText(
            title=Text(id="OPD sudah ada", en="Agency already exists"),
            detail=Text(
                id="Kode OPD {code} sudah dipakai.",
                en="The agency code {code} is already in use.",
            ),
        ),
        "admin_opd_protected": ProblemText(
            title=Text(id="OPD pengelola tidak dapat ditutup", en="The administering agency cannot be closed"),
            detail=Text(
                id="{code} mengelola aplikasi ini dan menaungi para admin, sehingga tidak dapat dinonaktifkan.",
                en="{code} administers this app and holds its admins, so it cannot be deactivated.",
            ),
        ),
    },
)
