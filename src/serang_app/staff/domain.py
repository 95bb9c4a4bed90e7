"""The staff domain: staff sign-in and the administration of staff accounts."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain
from serang_app.staff.admin_routes import StaffAdminController
from serang_app.staff.me_routes import change_staff_me, staff_me
from serang_app.staff.routes import staff_login

STAFF = CoreDomain(
    name="staff",
    public_routes=(staff_login,),
    signed_in_routes=(StaffAdminController, staff_me, change_staff_me),
    permissions=(
        Permission("staff.manage", ("admin",), "Create, list, disable staff accounts and change their roles"),
        Permission(
            "staff.self",
            ("officer", "supervisor", "admin"),
            "Read one's own staff account, choose its language, its inbox and its devices",
        ),
    ),
    problems={
        "invalid_credentials": ProblemText(
            title=Text(id="Gagal masuk", en="Sign-in failed"),
            detail=Text(
                id="Email atau kata sandi salah.",
                en="The e-mail address or password is wrong.",
            ),
        ),
        "sign_in_locked": ProblemText(
            title=Text(id="Terlalu banyak percobaan", en="Too many attempts"),
            detail=Text(
                id="Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
                en="Too many failed sign-in attempts. Try again in {minutes} minutes.",
            ),
        ),
        "staff_exists": ProblemText(
            title=Text(id="Akun staf sudah ada", en="Staff account already exists"),
            detail=Text(
                id="Sudah ada akun staf dengan alamat email ini.",
                en="A staff account with this e-mail address already exists.",
            ),
        ),
        "cannot_disable_self": ProblemText(
            title=Text(id="Tidak dapat menonaktifkan akun sendiri", en="Cannot disable your own account"),
            detail=Text(
                id="Admin tidak dapat menonaktifkan akunnya sendiri. Minta admin lain untuk melakukannya.",
                en="An admin cannot disable their own account. Ask another admin to do it.",
            ),
        ),
        "cannot_demote_self": ProblemText(
            title=Text(id="Tidak dapat menurunkan peran sendiri", en="Cannot demote yourself"),
            detail=Text(
                id="Admin tidak dapat melepas peran adminnya sendiri. Minta admin lain untuk melakukannya.",
                en="An admin cannot give up their own admin role. Ask another admin to do it.",
            ),
        ),
    },
)
