"""Verifying the Firebase ID tokens residents sign in with (phone-number sign-in in the app).

The checks are firebase-admin's own: RS256 signature against Google's published certificates,
audience = our project id, issuer ``https://securetoken.google.com/{project_id}``, expiry and
issued-at, and then a look-up of the user record (``check_revoked=True``) so a disabled account or
a token issued before the user's sessions were revoked is refused. This module only chooses where
the library talks to, runs it off the event loop, and turns its many exceptions into one.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, cast

import msgspec

# firebase-admin (with google-auth and their own imports) is imported inside the functions that use
# it, when a Firebase project is configured (auth/firebase_lifespan.py builds the verifier), rather
# than by every start of the app or a CLI command: with push's, a fifth of the app's import time
# (docs/testing.md, "Process starts").

FirebaseTokenErrorCode = Literal["invalid", "expired", "revoked", "disabled", "unknown_user", "unavailable"]

# firebase-admin reads this variable on every verification and, when it is set, skips the
# signature check altogether (the Auth emulator issues unsigned tokens). A stray value in a
# production environment would let anyone sign in as anyone, so this module refuses to run with it.
EMULATOR_HOST_VARIABLE = "FIREBASE_AUTH_EMULATOR_HOST"

# A Firebase ID token is about 1 KB (more with custom claims). Anything far larger, or not ASCII,
# is refused before it reaches the library, so a hostile body cannot make us parse megabytes.
_MAX_TOKEN_LENGTH = 8192


class FirebaseSettings(msgspec.Struct, kw_only=True, frozen=True):
    project_id: str
    # Service-account JSON. The revocation check calls the Identity Toolkit API, which needs an
    # OAuth token; with no file, firebase-admin falls back to Application Default Credentials
    # (the runtime's service account on Google Cloud, or GOOGLE_APPLICATION_CREDENTIALS).
    credentials_file: str | None = None
    # The two overrides exist so that tests, and a staging setup, can point the real library at a
    # server of their own (which holds their own signing key and user records). They change where
    # the library fetches from, never what it checks: the signature, audience, issuer, expiry and
    # revocation checks all still run. None means Google's production endpoints.
    #   certificates_url: JSON object of key id -> PEM certificate (Google's x509 metadata format).
    certificates_url: str | None = None
    #   auth_api_url: the Identity Toolkit v1 root, i.e. what replaces
    #   https://identitytoolkit.googleapis.com/v1 (".../projects/{id}/accounts:lookup" is appended).
    auth_api_url: str | None = None
    # firebase-admin's own default is 120 s per HTTP call; a sign-in should fail over to "try again
    # later" well before the phone gives up on us.
    http_timeout_seconds: float = 10.0


class FirebaseIdentity(msgspec.Struct, kw_only=True, frozen=True):
    uid: str
    phone_number: str | None
    auth_time: datetime


class FirebaseTokenError(Exception):
    """The token was refused (or could not be checked); ``code`` says which, for the API's answer."""

    def __init__(self, code: FirebaseTokenErrorCode, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code: FirebaseTokenErrorCode = code
        self.detail = detail

    @property
    def http_status(self) -> int:
        # Only "unavailable" is our side's fault (Google unreachable, credentials refused): the app
        # should retry later rather than send the resident back to the sign-in screen.
        return 503 if self.code == "unavailable" else 401


class FirebaseConfigurationError(RuntimeError):
    """The verifier cannot be set up; the message is one line, fit for the CLI to print."""


class FirebaseVerifier:
    """Verifies ID tokens for one Firebase project, through a firebase-admin App of its own.

    Each verifier owns a uniquely named App and the ``auth.Client`` built on it, so several
    verifiers (tests, or the web and worker parts of one dev process) never share caches,
    credentials or endpoint overrides, and the process-wide default App stays free for others.
    Call ``close()`` when done.
    """

    def __init__(self, settings: FirebaseSettings) -> None:
        if not settings.project_id.strip():
            raise FirebaseConfigurationError("Firebase project id is empty")
        _refuse_emulator_mode()
        import firebase_admin
        import google.auth.exceptions
        from firebase_admin import auth

        self.settings = settings
        credential = _load_credential(settings.credentials_file)
        options = {"projectId": settings.project_id, "httpTimeout": settings.http_timeout_seconds}
        self._app: Any = firebase_admin.initialize_app(credential, options, name=f"serang-auth-{uuid.uuid4().hex}")
        try:
            # auth.Client is the public class behind auth.verify_id_token(app=...); holding our own
            # instance (rather than the one firebase-admin caches inside the App) makes the objects
            # changed below unmistakably ours. Building it resolves the credentials, so a missing
            # Application Default Credential fails here, at start-up, not at the first sign-in.
            self._client: Any = auth.Client(self._app)
            _point_at_endpoints(self._client, settings)
        except google.auth.exceptions.DefaultCredentialsError as error:
            firebase_admin.delete_app(self._app)
            raise FirebaseConfigurationError(
                f"no Firebase credentials: set the service-account file or run with Application Default Credentials ({error})"
            ) from None
        except BaseException:
            firebase_admin.delete_app(self._app)
            raise

    async def verify(self, id_token: str) -> FirebaseIdentity:
        """The identity in a valid token, or FirebaseTokenError."""
        if not id_token or len(id_token) > _MAX_TOKEN_LENGTH or not id_token.isascii():
            raise FirebaseTokenError("invalid", "not a token")
        # The library is blocking (requests + google-auth for the certificates, the OAuth token and
        # the user look-up), so it runs in the default thread pool, off the event loop.
        claims = await asyncio.to_thread(self._verify_blocking, id_token)
        return _identity_from(claims)

    def close(self) -> None:
        """Remove this verifier's App from firebase-admin's registry; safe to call twice."""
        import firebase_admin

        if self._app is not None:
            firebase_admin.delete_app(self._app)
            self._app = None

    def _verify_blocking(self, id_token: str) -> dict[str, Any]:
        import google.auth.exceptions
        from firebase_admin import auth
        from firebase_admin import exceptions as firebase_exceptions

        # Checked again here because the library consults the variable on every call, not only
        # when the App is created.
        if os.environ.get(EMULATOR_HOST_VARIABLE):
            raise FirebaseTokenError("unavailable", f"{EMULATOR_HOST_VARIABLE} is set; refusing unsigned tokens")
        try:
            claims = self._client.verify_id_token(id_token, check_revoked=True)
        # The order matters: revoked and expired are kinds of invalid, and all of them are
        # FirebaseErrors.
        except auth.RevokedIdTokenError as error:
            raise FirebaseTokenError("revoked", str(error)) from error
        except auth.ExpiredIdTokenError as error:
            raise FirebaseTokenError("expired", str(error)) from error
        except auth.UserDisabledError as error:
            raise FirebaseTokenError("disabled", str(error)) from error
        except auth.UserNotFoundError as error:
            # A correctly signed token for an account deleted since: the person no longer exists
            # for Firebase, so neither do they for us.
            raise FirebaseTokenError("unknown_user", str(error)) from error
        except auth.CertificateFetchError as error:
            raise FirebaseTokenError("unavailable", str(error)) from error
        except auth.InvalidIdTokenError as error:
            raise FirebaseTokenError("invalid", str(error)) from error
        except firebase_exceptions.FirebaseError as error:
            # Anything else comes from the user look-up: Identity Toolkit unreachable, 5xx after
            # the SDK's retries, or our service account refused (403). None of it says the token
            # is bad, so the resident is told to try again, not to sign in again.
            raise FirebaseTokenError("unavailable", str(error)) from error
        except (google.auth.exceptions.RefreshError, google.auth.exceptions.TransportError) as error:
            # The OAuth token for the look-up could not be obtained (token endpoint unreachable or
            # refusing our service account). google-auth raises these past firebase-admin unwrapped.
            raise FirebaseTokenError("unavailable", str(error)) from error
        return cast(dict[str, Any], claims)


def _refuse_emulator_mode() -> None:
    if os.environ.get(EMULATOR_HOST_VARIABLE):
        raise FirebaseConfigurationError(
            f"{EMULATOR_HOST_VARIABLE} is set: firebase-admin would accept unsigned tokens; unset it"
        )


def _load_credential(credentials_file: str | None) -> Any:
    if credentials_file is None:
        # initialize_app turns None into credentials.ApplicationDefault().
        return None
    from firebase_admin import credentials

    try:
        return credentials.Certificate(credentials_file)
    except (OSError, ValueError) as error:
        raise FirebaseConfigurationError(f"Firebase credentials file {credentials_file!r}: {error}") from None


def _point_at_endpoints(client: Any, settings: FirebaseSettings) -> None:
    """Apply the certificate and Identity Toolkit overrides to this verifier's Client only.

    firebase-admin 7.7 has no public option for either address. The certificate URL is the module
    constant ``_token_gen.ID_TOKEN_CERT_URI``, copied into each ``_JWTVerifier`` as ``cert_url``
    when a Client is built; the Identity Toolkit root is ``UserManager.ID_TOOLKIT_URL`` unless the
    ``UserManager`` constructor is given ``url_override`` (the hook the library itself uses for the
    emulator). Rewriting those globals would redirect every App in the process, and only Apps built
    afterwards. So instead: set ``cert_url`` on the ID-token verifier of our own Client, and give our
    Client a ``UserManager`` built through its constructor with ``url_override``, reusing the
    Client's authenticated HTTP client so the OAuth credentials and retry policy stay the library's.
    Only what ``verify_id_token(check_revoked=True)`` uses is redirected; other calls are not made
    by this verifier. The attribute checks make a library upgrade that moves these fail at
    start-up instead of quietly fetching from Google.
    """
    if settings.certificates_url is not None:
        jwt_verifier = getattr(getattr(client, "_token_verifier", None), "id_token_verifier", None)
        if jwt_verifier is None or not isinstance(getattr(jwt_verifier, "cert_url", None), str):
            raise FirebaseConfigurationError(
                "this firebase-admin version keeps the ID-token certificate URL elsewhere; "
                "the certificates URL override cannot be applied"
            )
        jwt_verifier.cert_url = settings.certificates_url
    if settings.auth_api_url is not None:
        user_manager = getattr(client, "_user_manager", None)
        if user_manager is None or getattr(user_manager, "http_client", None) is None:
            raise FirebaseConfigurationError(
                "this firebase-admin version keeps its user manager elsewhere; "
                "the Identity Toolkit URL override cannot be applied"
            )
        from firebase_admin import _user_mgt

        client._user_manager = _user_mgt.UserManager(
            user_manager.http_client, settings.project_id, url_override=settings.auth_api_url.rstrip("/")
        )


def _identity_from(claims: dict[str, Any]) -> FirebaseIdentity:
    # firebase-admin has already checked sub (non-empty, at most 128 characters) and copied it to uid.
    uid = claims.get("uid")
    auth_time = claims.get("auth_time")
    phone_number = claims.get("phone_number")
    if not isinstance(uid, str) or not uid:
        raise FirebaseTokenError("invalid", "no subject")
    # Every Firebase ID token carries auth_time (when the person actually signed in, as opposed to
    # when this token was refreshed); one without it did not come from Firebase Authentication.
    if isinstance(auth_time, bool) or not isinstance(auth_time, int):
        raise FirebaseTokenError("invalid", "no auth_time claim")
    if phone_number is not None and not isinstance(phone_number, str):
        raise FirebaseTokenError("invalid", "phone_number claim is not a string")
    return FirebaseIdentity(
        uid=uid,
        phone_number=phone_number,
        auth_time=datetime.fromtimestamp(auth_time, tz=UTC),
    )
