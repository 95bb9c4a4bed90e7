"""The residents domain: a resident's own account, NIK and rights under UU PDP."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain
from serang_app.residents.routes import MeController

RESIDENTS = CoreDomain(
    name="residents",
    signed_in_routes=(MeController,),
    permissions=(Permission("profile.manage", ("resident",), "Read, change, export and erase one's own account"),),
    problems={
        "nik_taken": ProblemText(
            title=Text(id="NIK sudah terdaftar", en="NIK already registered"),
            detail=Text(
                id="NIK ini sudah terdaftar pada akun lain.",
                en="This NIK is already registered to another account.",
            ),
        ),
    },
)
