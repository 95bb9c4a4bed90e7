from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from serang_app.http.text import PLAIN_TEXT

# Indonesian mobile numbers in E.164: +62 then 8 to 13 digits.
PhoneNumber = Annotated[str, msgspec.Meta(pattern=r"^\+62[1-9][0-9]{7,12}$", examples=["+6281234567890"])]
# The privacy policy the app shows at sign-up. Its text ships with the app, so a new version is a
# release of both; residents consent to the current one. The schema takes any string (a pattern
# added to the released `const` would count as a breaking change, docs/api-compatibility.md; the
# body's size limit bounds it), and the route refuses any version but the current one with its own
# problem, `consent_outdated`, naming the current version: an old app can tell its user to update
# and consent again, rather than show "invalid input".
CURRENT_PRIVACY_POLICY = "2026-11"
PolicyVersion = Annotated[
    str,
    msgspec.Meta(
        examples=[CURRENT_PRIVACY_POLICY],
        description=f"The privacy policy's version the resident consented to; only the current one "
        f"({CURRENT_PRIVACY_POLICY}) is accepted (422 consent_outdated otherwise).",
    ),
]


class DevSignIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    phone: PhoneNumber
    consent_policy_version: PolicyVersion


class FirebaseSignIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id_token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]
    consent_policy_version: PolicyVersion


class RefreshRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class StaffSignIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320, pattern=PLAIN_TEXT)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class TokenPair(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int
    refresh_token: str
