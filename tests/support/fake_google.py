"""A local stand-in for the Google endpoints firebase-admin uses: ID tokens and FCM.

It is a real HTTP server on 127.0.0.1 (a random port) that plays these parts:

- the x509 certificate endpoint (key id -> PEM certificate, cacheable like Google's),
- the OAuth2 token endpoint named by the service-account JSON (it checks the signed assertion),
- the Identity Toolkit ``accounts:lookup`` call behind ``check_revoked=True`` (it checks the bearer
  token the OAuth endpoint handed out),
- FCM HTTP v1 ``messages:send`` (to a token or a topic) and topic management
  (``registrations/{token}/topicSubscriptions``), with outcomes a test queues per token or topic.

It holds the signing key whose certificate it publishes, so ``sign_id_token`` makes tokens that
the real library verifies with every check on: nothing in the library is patched or skipped.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import secrets
import socket
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from serang_app.auth.firebase import FirebaseSettings

# The path part of Google's real certificate URL, kept so the fake's URL reads like the real one.
CERTIFICATES_PATH = "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
TOKEN_PATH = "/token"
AUTH_API_ROOT = "/v1"
_LOOKUP_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/accounts:lookup$")
FCM_SEND_PATH = "/fcm/v1/projects/{project}/messages:send"
_FCM_SEND = re.compile(r"^/fcm/v1/projects/(?P<project>[^/]+)/messages:send$")
_FCM_TOPIC_SUBSCRIPTIONS = re.compile(
    r"^/fcm/v1/projects/(?P<project>[^/]+)/registrations/(?P<token>[^/]+)/topicSubscriptions(?:/(?P<topic>[^/]+))?$"
)
_JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth puts Google's token URL in the assertion's "aud" whatever token_uri says, and Google
# accepts it there; the fake accepts that and its own URL.
_GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"


# outcome -> (HTTP status, "STATUS:FcmErrorCode", message, the field at fault)
_FCM_ERRORS: dict[str, tuple[int, str, str, str | None]] = {
    "unregistered": (404, "NOT_FOUND:UNREGISTERED", "Requested entity was not found.", None),
    "sender_mismatch": (403, "PERMISSION_DENIED:SENDER_ID_MISMATCH", "SenderId mismatch", None),
    "bad_token": (400, "INVALID_ARGUMENT:INVALID_ARGUMENT", "The registration token is not valid", "message.token"),
    "bad_payload": (400, "INVALID_ARGUMENT:INVALID_ARGUMENT", "Invalid JSON payload", "message.data"),
    "unavailable": (503, "UNAVAILABLE:UNAVAILABLE", "The service is currently unavailable.", None),
    "internal": (500, "INTERNAL:INTERNAL", "Internal error encountered.", None),
    "quota": (429, "RESOURCE_EXHAUSTED:QUOTA_EXCEEDED", "Quota exceeded.", None),
}


def new_rsa_key(key_size: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


@functools.cache
def _shared_key(purpose: str, key_size: int = 2048) -> rsa.RSAPrivateKey:
    # Generating a key takes a good part of a second here; every fake reuses the same ones so a
    # test module stays fast. Tests that need a stranger's key call new_rsa_key().
    return new_rsa_key(key_size)


def unused_local_url() -> str:
    """A 127.0.0.1 URL on a port nothing listens on, to play an endpoint that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign_jwt(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey | None) -> str:
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    if key is None:  # alg "none": an unsigned token, as an attacker would send one
        return f"{signing_input}."
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def _self_signed_certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


class FakeGoogle:
    """Use as a context manager: the server runs, and the service-account file exists, inside it."""

    def __init__(self, project_id: str = "serang-test", *, signing_key: rsa.RSAPrivateKey | None = None) -> None:
        self.project_id = project_id
        self.kid = "fake-google-key-1"
        self.signing_key = signing_key or _shared_key("id-token signing")
        self.certificate_pem = _self_signed_certificate(self.signing_key)
        # 1024 bits only for the service account: google-auth loads (and so validates) the private
        # key every time a verifier is built, which costs over 0.1 s per test for 2048 bits. The
        # ID-token key, the one under test, has Google's real size.
        self._service_account_key = _shared_key("service account", 1024)
        self.client_email = f"firebase-adminsdk-test@{project_id}.iam.gserviceaccount.com"
        # What a test may change while the server runs.
        self.certificates_status = 200
        self.lookup_status = 200
        self.certificates_max_age = 3600
        self.hits: Counter[str] = Counter()
        # FCM: what each token answers, as a queue of outcomes used up one per send ("ok" when
        # empty): "unregistered", "sender_mismatch", "bad_token", "bad_payload", "unavailable",
        # "internal", "quota".
        # Keyed by token, or by topic name for messages sent to a topic.
        self.fcm_outcomes: dict[str, list[str]] = {}
        # Topic management: topic -> subscribed tokens, and each token's queue of outcomes for
        # (un)subscribe calls, as for sends.
        self.topic_members: dict[str, set[str]] = {}
        self.topic_outcomes: dict[str, list[str]] = {}
        self.fcm_retry_after = "1"
        self.fcm_sent: list[dict[str, Any]] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._access_tokens: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def __enter__(self) -> FakeGoogle:
        self._server = _BusyServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the serving loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-google", daemon=True
        )
        self._thread.start()
        self._folder = tempfile.TemporaryDirectory(prefix="fake-google-")
        self.credentials_file.write_text(json.dumps(self._service_account_json()))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._folder is not None:
            self._folder.cleanup()

    # -- addresses --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakeGoogle as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def certificates_url(self) -> str:
        return self.base_url + CERTIFICATES_PATH

    @property
    def token_uri(self) -> str:
        return self.base_url + TOKEN_PATH

    @property
    def auth_api_url(self) -> str:
        return self.base_url + AUTH_API_ROOT

    @property
    def fcm_url(self) -> str:
        """What FCM_API_URL is set to: firebase-admin fills in the project id."""
        return self.base_url + FCM_SEND_PATH.replace("{project}", "{0}")

    @property
    def credentials_file(self) -> Path:
        assert self._folder is not None, "use FakeGoogle as a context manager"
        return Path(self._folder.name) / "service-account.json"

    def settings(self, **overrides: Any) -> FirebaseSettings:
        """Verifier settings pointing every endpoint at this fake (and a short HTTP timeout)."""
        values: dict[str, Any] = {
            "project_id": self.project_id,
            "credentials_file": str(self.credentials_file),
            "certificates_url": self.certificates_url,
            "auth_api_url": self.auth_api_url,
            "http_timeout_seconds": 5.0,
        }
        values.update(overrides)
        return FirebaseSettings(**values)

    # -- tokens and users -------------------------------------------------------------------------

    def sign_id_token(
        self,
        uid: str,
        phone: str | None,
        *,
        issued_at: int | None = None,
        expires_in: int = 3600,
        audience: str | None = None,
        issuer: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        alg: str = "RS256",
    ) -> str:
        """A Firebase-style ID token for a phone sign-in; the user is added to the fake if new."""
        if alg not in {"RS256", "none"}:
            raise ValueError(f"the fake signs RS256 or none, not {alg}")
        iat = int(time.time()) if issued_at is None else issued_at
        claims: dict[str, Any] = {
            "iss": issuer or f"https://securetoken.google.com/{self.project_id}",
            "aud": audience or self.project_id,
            "auth_time": iat,
            "user_id": uid,
            "sub": uid,
            "iat": iat,
            "exp": iat + expires_in,
            "firebase": {"identities": {"phone": [phone] if phone else []}, "sign_in_provider": "phone"},
        }
        if phone is not None:
            claims["phone_number"] = phone
        header = {"alg": alg, "kid": kid or self.kid, "typ": "JWT"}
        self.add_user(uid, phone)
        signer = None if alg == "none" else (key or self.signing_key)
        return _sign_jwt(header, claims, signer)

    def add_user(self, uid: str, phone: str | None) -> None:
        with self._lock:
            self._users.setdefault(uid, {"localId": uid, "phoneNumber": phone, "disabled": False, "validSince": None})

    def disable_user(self, uid: str) -> None:
        with self._lock:
            self._users[uid]["disabled"] = True

    def revoke_tokens(self, uid: str, at: int | None = None) -> None:
        """Tokens issued before ``at`` (default: now) count as revoked, as after revokeRefreshTokens."""
        with self._lock:
            self._users[uid]["validSince"] = int(time.time()) if at is None else at

    def delete_user(self, uid: str) -> None:
        with self._lock:
            del self._users[uid]

    # -- the endpoints ----------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if request.command == "GET" and path == CERTIFICATES_PATH:
            self._count("certificates")
            self._certificates(request)
        elif request.command == "POST" and path == TOKEN_PATH:
            self._count("token")
            self._token(request, body)
        elif request.command == "POST" and (match := _FCM_SEND.match(path)):
            self._count("fcm")
            self._fcm_send(request, match.group("project"), body)
        elif request.command in ("POST", "DELETE") and (match := _FCM_TOPIC_SUBSCRIPTIONS.match(path)):
            self._count("topics")
            self._topic_subscription(request, match)
        elif request.command == "POST" and (match := _LOOKUP_PATH.match(path)):
            self._count("lookup")
            self._lookup(request, match.group("project"), body)
        else:
            self._count("unknown")
            _reply(request, 404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})

    def _count(self, endpoint: str) -> None:
        with self._lock:  # handlers run on several threads at once
            self.hits[endpoint] += 1

    def _certificates(self, request: BaseHTTPRequestHandler) -> None:
        if self.certificates_status != 200:
            _reply(request, self.certificates_status, {"error": "unavailable"})
            return
        # Google answers with public caching; firebase-admin honours it through cachecontrol.
        cache_control = f"public, max-age={self.certificates_max_age}, must-revalidate, no-transform"
        _reply(request, 200, {self.kid: self.certificate_pem}, {"Cache-Control": cache_control})

    def _token(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        form = parse_qs(body.decode("ascii", "replace"))
        grant_type = form.get("grant_type", [""])[0]
        assertion = form.get("assertion", [""])[0]
        if grant_type != _JWT_BEARER_GRANT or not self._assertion_is_ours(assertion):
            _reply(request, 400, {"error": "invalid_grant", "error_description": "bad assertion"})
            return
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens.add(access_token)
        _reply(request, 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600})

    def _assertion_is_ours(self, assertion: str) -> bool:
        """Check the service account's signed JWT the way Google's token endpoint would."""
        try:
            header_part, claims_part, signature_part = assertion.split(".")
            self._service_account_key.public_key().verify(
                _b64url_decode(signature_part),
                f"{header_part}.{claims_part}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims = json.loads(_b64url_decode(claims_part))
        except (ValueError, InvalidSignature):
            return False
        return bool(
            claims.get("iss") == self.client_email
            and claims.get("aud") in {self.token_uri, _GOOGLE_TOKEN_AUDIENCE}
            and int(claims.get("exp", 0)) > time.time()
        )

    def _lookup(self, request: BaseHTTPRequestHandler, project: str, body: bytes) -> None:
        authorization = request.headers.get("Authorization", "")
        with self._lock:
            authorised = authorization.removeprefix("Bearer ") in self._access_tokens
        if not authorised:
            _reply(request, 401, {"error": {"code": 401, "message": "no valid token", "status": "UNAUTHENTICATED"}})
            return
        if self.lookup_status != 200:
            status = self.lookup_status
            _reply(request, status, {"error": {"code": status, "message": "refused", "status": "PERMISSION_DENIED"}})
            return
        if project != self.project_id:
            _reply(request, 404, {"error": {"code": 404, "message": "CONFIGURATION_NOT_FOUND", "status": "NOT_FOUND"}})
            return
        uids = json.loads(body or b"{}").get("localId", [])
        with self._lock:
            found = [self._user_record(self._users[uid]) for uid in uids if uid in self._users]
        answer: dict[str, Any] = {"kind": "identitytoolkit#GetAccountInfoResponse"}
        if found:  # like the real API, an unknown uid gives an answer without "users"
            answer["users"] = found
        _reply(request, 200, answer)

    def _fcm_send(self, request: BaseHTTPRequestHandler, project: str, body: bytes) -> None:
        """FCM HTTP v1: the OAuth bearer token is checked, then the token's next outcome is given."""
        with self._lock:
            authorised = request.headers.get("Authorization", "").removeprefix("Bearer ") in self._access_tokens
        if not authorised or project != self.project_id:
            _reply(request, 401, {"error": {"code": 401, "message": "no valid token", "status": "UNAUTHENTICATED"}})
            return
        message = json.loads(body or b"{}").get("message", {})
        target = message.get("token") or message.get("topic", "")
        with self._lock:
            queue = self.fcm_outcomes.get(target, [])
            outcome = queue.pop(0) if queue else "ok"
        if outcome == "ok":
            with self._lock:
                self.fcm_sent.append(message)
            _reply(request, 200, {"name": f"projects/{project}/messages/{secrets.token_hex(8)}"})
            return
        self._fcm_error(request, outcome)

    def topic_pushes(self, topic: str) -> list[dict[str, Any]]:
        with self._lock:
            return [message for message in self.fcm_sent if message.get("topic") == topic]

    def topics_of(self, token: str) -> set[str]:
        with self._lock:
            return {topic for topic, members in self.topic_members.items() if token in members}

    def _topic_subscription(self, request: BaseHTTPRequestHandler, match: re.Match[str]) -> None:
        """FCM v1 topic management: POST ...?topic_name=T subscribes, DELETE .../T unsubscribes."""
        with self._lock:
            authorised = request.headers.get("Authorization", "").removeprefix("Bearer ") in self._access_tokens
        if not authorised or match.group("project") != self.project_id:
            _reply(request, 401, {"error": {"code": 401, "message": "no valid token", "status": "UNAUTHENTICATED"}})
            return
        token = unquote(match.group("token"))
        if request.command == "POST":
            topic = parse_qs(urlsplit(request.path).query).get("topic_name", [""])[0]
        else:
            topic = unquote(match.group("topic") or "")
        with self._lock:
            queue = self.topic_outcomes.get(token, [])
            outcome = queue.pop(0) if queue else "ok"
            if outcome == "ok":
                members = self.topic_members.setdefault(topic, set())
                (members.add if request.command == "POST" else members.discard)(token)
        if outcome == "ok":
            _reply(request, 200, {})
        else:
            self._fcm_error(request, outcome)

    def _fcm_error(self, request: BaseHTTPRequestHandler, outcome: str) -> None:
        status, code, detail, field = _FCM_ERRORS[outcome]
        error: dict[str, Any] = {"code": status, "message": detail, "status": code.split(":")[0]}
        details: list[dict[str, Any]] = [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code.split(":")[-1]}
        ]
        if field:
            details.append(
                {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": field}]}
            )
        error["details"] = details
        headers = {"Retry-After": self.fcm_retry_after} if status in (429, 503) else {}
        _reply(request, status, {"error": error}, headers)

    @staticmethod
    def _user_record(user: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {"localId": user["localId"], "disabled": user["disabled"]}
        if user["phoneNumber"]:
            record["phoneNumber"] = user["phoneNumber"]
            record["providerUserInfo"] = [
                {"providerId": "phone", "rawId": user["phoneNumber"], "phoneNumber": user["phoneNumber"]}
            ]
        if user["validSince"] is not None:
            record["validSince"] = str(user["validSince"])  # seconds, as a string, as Google sends it
        return record

    def _service_account_json(self) -> dict[str, str]:
        private_key = self._service_account_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": "fake-service-account-key",
            "private_key": private_key,
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "token_uri": self.token_uri,
        }


class _BusyServer(ThreadingHTTPServer):
    # firebase-admin sends a batch of pushes at once; the default backlog of 5 would refuse
    # connections that Google's servers would take.
    request_queue_size = 512


def _reply(
    request: BaseHTTPRequestHandler, status: int, payload: object, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(payload).encode()
    request.send_response(status)  # also sends Date, which cachecontrol needs to judge freshness
    request.send_header("Content-Type", "application/json; charset=UTF-8")
    request.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(data)


def _handler_for(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.handle(self)

        def do_POST(self) -> None:
            fake.handle(self)

        def do_DELETE(self) -> None:
            fake.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet; the fake's hits counter is what tests look at

    return Handler
