"""The NIK (Nomor Induk Kependudukan, the 16-digit national identity number): checked offline,
shown masked, and stored encrypted with a blind index.

Layout: PPRRDD DDMMYY SSSS.
    PP RR DD   province, regency or city, and district (kecamatan) where the NIK was first issued;
               see region_codes for what "a known region code" can mean without a national list.
    DDMMYY     date of birth; women have 40 added to the day (a woman born on the 7th has 47).
    SSSS       serial number, 0001-9999.

The two-digit year takes the century that puts the birth date on or before today, the date in
WIT (UTC+9), Indonesia's easternmost zone: a NIK holder may have been born anywhere in the country,
whatever region this deployment serves, and a birth date that has begun in Papua is not in the
future. So a NIK describes someone between newborn and just under 100 years old. A resident of 100 or
more reads as a child; the NIK alone cannot tell them apart, so the parsed birth date is a hint,
not a record. For the same reason a "future birth date" can only arise when today itself is before
the 1900s reading; the check stays as a guard, not as something users will meet.

Personal data (UU PDP): the messages of NikError never repeat the NIK or its birth date, and the
repr of a ParsedNik shows only the masked number, so neither leaks through logs or tracebacks.

Storage, by NikVault:
    ciphertext = key version (1 byte) || nonce (12 random bytes) || AES-256-GCM(NIK) with its tag
    The associated data is b"serang:nik:v1" plus the version byte, so a ciphertext cannot be
    passed off as another kind of secret, nor re-labelled with another key version.
    index = HMAC-SHA256(index key, NIK): deterministic, so a UNIQUE column on it enforces "one NIK,
    one resident" and finds a resident by NIK without decrypting anything.

Rotating the encryption key (SERANG_NIK_ENCRYPTION_KEYS, "v2:...,v1:..."): the vault encrypts with
the first version and decrypts every version listed. `serang-app nik rotate` (nik_rotation.py)
re-encrypts the rows still under an older version; then the old key can be dropped. The index key
cannot rotate that way (uniqueness needs one value per NIK): docs/deployment.md says why it is not
supported yet.

Keys are base64 of 32 random bytes each, for instance:
    python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from serang_app.regions.reference_data import regencies
from serang_app.residents import region_codes

Language = Literal["id", "en"]
Sex = Literal["female", "male"]
NikErrorCode = Literal["length", "not_digits", "region", "birth_date", "serial"]

NIK_LENGTH = 16
KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_PURPOSE = b"serang:nik:v1"
_FEMALE_DAY_OFFSET = 40
# Indonesia has kept no daylight saving since 1964, so a fixed offset is exact and needs no tzdata.
# The easternmost zone: the first to start a new day anywhere in Indonesia (see the docstring).
_EASTERNMOST = timezone(timedelta(hours=9), "WIT")


class NikError(ValueError):
    """A NIK was refused. `code` is for machines; `messages` has the reason in Indonesian and English."""

    def __init__(self, code: NikErrorCode, *, indonesian: str, english: str) -> None:
        super().__init__(english)
        self.code: NikErrorCode = code
        self.messages: dict[Language, str] = {"id": indonesian, "en": english}

    def message(self, language: Language = "id") -> str:
        return self.messages[language]


class NikDecryptionError(Exception):
    """A stored NIK cannot be decrypted: wrong or missing key, or the stored bytes were altered."""


@dataclass(frozen=True, slots=True)
class ParsedNik:
    value: str
    province: str
    regency: str
    district: str
    birth_date: date
    sex: Sex
    serial: int

    @property
    def region_code(self) -> str:
        """The issuing district in the dotted form of the regions table, e.g. 36.73.01."""
        return f"{self.province}.{self.regency}.{self.district}"

    @property
    def masked(self) -> str:
        return mask_nik(self.value)

    def __repr__(self) -> str:
        return f"ParsedNik({self.masked})"


def today_in_indonesia() -> date:
    """The latest date anywhere in Indonesia (in WIT)."""
    return datetime.now(_EASTERNMOST).date()


def parse_nik(value: str, *, today: date | None = None) -> ParsedNik:
    """Check a NIK as typed (surrounding whitespace is ignored) and take it apart; raises NikError."""
    nik = value.strip()
    _require_shape(nik)
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    _require_known_region(province, regency, district)
    birth_date, sex = _birth_date_and_sex(nik[6:12], today or today_in_indonesia())
    serial = int(nik[12:16])
    if serial == 0:
        raise NikError(
            "serial",
            indonesian="Empat digit terakhir NIK (nomor urut) tidak boleh 0000.",
            english="The last four digits of a NIK (its serial number) cannot be 0000.",
        )
    return ParsedNik(
        value=nik,
        province=province,
        regency=regency,
        district=district,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )


def mask_nik(value: str) -> str:
    """3604051705900001 -> 3604**********01: the form shown to anyone but the NIK's owner."""
    _require_shape(value)
    return value[:4] + "*" * (NIK_LENGTH - 6) + value[-2:]


def _require_shape(nik: str) -> None:
    # isdigit() alone would let through other scripts' digits, such as Arabic-Indic or superscripts.
    if nik and not (nik.isascii() and nik.isdigit()):
        raise NikError(
            "not_digits",
            indonesian="NIK hanya berisi angka 0-9, tanpa spasi, titik, atau huruf.",
            english="A NIK contains only the digits 0-9, without spaces, dots or letters.",
        )
    if len(nik) != NIK_LENGTH:
        raise NikError(
            "length",
            indonesian=f"NIK terdiri dari 16 digit, sedangkan yang dimasukkan {len(nik)} digit.",
            english=f"A NIK has 16 digits; this one has {len(nik)}.",
        )


def _require_known_region(province: str, regency: str, district: str) -> None:
    if not region_codes.is_known_province(province):
        raise NikError(
            "region",
            indonesian=f"Dua digit pertama NIK ({province}) bukan kode provinsi di Indonesia.",
            english=f"The first two digits of the NIK ({province}) are not an Indonesian province code.",
        )
    if not region_codes.is_possible_regency(regency):
        raise NikError(
            "region",
            indonesian=f"Digit ke-3 dan ke-4 NIK ({regency}) bukan kode kabupaten/kota.",
            english=f"Digits 3-4 of the NIK ({regency}) are not a regency or city code.",
        )
    regency_prefix = province + regency
    if region_codes.is_known_district(regency_prefix, district):
        return
    if regency_prefix in region_codes.KNOWN_DISTRICTS:
        # A regency whose district history we ship: named, as its list is the one that refused.
        name = regencies()[f"{province}.{regency}"].name
        raise NikError(
            "region",
            indonesian=f"Digit ke-5 dan ke-6 NIK ({district}) bukan kode kecamatan di {name}, "
            "baik yang sekarang maupun yang lama.",
            english=f"Digits 5-6 of the NIK ({district}) are not a district (kecamatan) code of "
            f"{name}, current or former.",
        )
    raise NikError(
        "region",
        indonesian=f"Digit ke-5 dan ke-6 NIK ({district}) bukan kode kecamatan.",
        english=f"Digits 5-6 of the NIK ({district}) are not a district (kecamatan) code.",
    )


def _birth_date_and_sex(ddmmyy: str, today: date) -> tuple[date, Sex]:
    encoded_day, month, two_digit_year = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    sex: Sex = "female" if encoded_day > _FEMALE_DAY_OFFSET else "male"
    day = encoded_day - _FEMALE_DAY_OFFSET if sex == "female" else encoded_day
    if not 1 <= day <= 31:
        raise NikError(
            "birth_date",
            indonesian="Digit ke-7 dan ke-8 NIK bukan tanggal lahir: 01-31 untuk laki-laki, "
            "41-71 untuk perempuan (tanggal ditambah 40).",
            english="Digits 7-8 of the NIK are not a day of birth: 01-31 for men, 41-71 for women (the day plus 40).",
        )
    real_dates_in_future = False
    for century in (2000, 1900):
        try:
            candidate = date(century + two_digit_year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate, sex
        real_dates_in_future = True
    if real_dates_in_future:
        raise NikError(
            "birth_date",
            indonesian="Tanggal lahir pada NIK berada di masa depan.",
            english="The date of birth in the NIK is in the future.",
        )
    raise NikError(
        "birth_date",
        indonesian="Digit ke-7 sampai ke-12 NIK bukan tanggal lahir yang ada (format TTBBYY).",
        english="Digits 7-12 of the NIK are not a real date of birth (DDMMYY).",
    )


class NikVault:
    """Encrypts NIKs at rest and computes their blind index. Give it NIKs as parse_nik returns them."""

    def __init__(
        self,
        encryption_key: bytes,
        index_key: bytes,
        *,
        key_version: int = 1,
        retired_encryption_keys: Mapping[int, bytes] | None = None,
    ) -> None:
        encryption_keys = {**(retired_encryption_keys or {}), key_version: encryption_key}
        if key_version in (retired_encryption_keys or {}):
            raise ValueError(f"NIK key version {key_version} is both current and retired")
        for version, key in encryption_keys.items():
            if not 0 <= version <= 255:
                raise ValueError(f"a NIK key version must fit in one byte (0-255), not {version}")
            _require_key_length(key, f"NIK encryption key version {version}")
            # One key for both jobs would let a weakness in either use expose the other.
            if hmac.compare_digest(key, index_key):
                raise ValueError("the NIK index key must differ from every NIK encryption key")
        _require_key_length(index_key, "NIK index key")
        self._key_version = key_version
        self._ciphers = {version: AESGCM(key) for version, key in encryption_keys.items()}
        self._index_key = index_key

    @classmethod
    def from_versions(cls, encryption_keys: Sequence[tuple[int, bytes]], index_key: bytes) -> NikVault:
        """A vault of versioned keys, as SERANG_NIK_ENCRYPTION_KEYS lists them: the first encrypts."""
        if not encryption_keys:
            raise ValueError("at least one NIK encryption key is needed")
        (version, key), *retired = encryption_keys
        if len({number for number, _ in encryption_keys}) != len(encryption_keys):
            raise ValueError("each NIK key version must be listed once")
        return cls(key, index_key, key_version=version, retired_encryption_keys=dict(retired))

    @property
    def key_version(self) -> int:
        """The version new ciphertexts are made with."""
        return self._key_version

    @property
    def key_versions(self) -> frozenset[int]:
        """Every version this vault decrypts, the current one included."""
        return frozenset(self._ciphers)

    @classmethod
    def from_base64(
        cls,
        encryption_key_b64: str,
        index_key_b64: str,
        *,
        key_version: int = 1,
        retired_encryption_keys_b64: Mapping[int, str] | None = None,
    ) -> NikVault:
        """Build a vault from the settings' base64 strings (SERANG_NIK_ENCRYPTION_KEY, ..._INDEX_KEY)."""
        retired = {
            version: _decode_key(text, f"NIK encryption key version {version}")
            for version, text in (retired_encryption_keys_b64 or {}).items()
        }
        return cls(
            _decode_key(encryption_key_b64, "NIK encryption key"),
            _decode_key(index_key_b64, "NIK index key"),
            key_version=key_version,
            retired_encryption_keys=retired,
        )

    def encrypt(self, nik: str) -> bytes:
        _require_shape(nik)
        version = bytes([self._key_version])
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._key_version].encrypt(nonce, nik.encode("ascii"), _PURPOSE + version)
        return version + nonce + sealed

    def decrypt(self, blob: bytes) -> str:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES:
            raise NikDecryptionError("the stored NIK is too short to be a ciphertext")
        version, nonce, sealed = blob[:1], blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        cipher = self._ciphers.get(version[0])
        if cipher is None:
            raise NikDecryptionError(f"the stored NIK uses key version {version[0]}, which is not configured")
        try:
            plaintext = cipher.decrypt(nonce, sealed, _PURPOSE + version)
        except InvalidTag:
            raise NikDecryptionError(
                "the stored NIK failed authentication: the key is wrong or the data was altered"
            ) from None
        return plaintext.decode("ascii")

    def opens(self, blob: bytes) -> bool:
        """Whether this vault decrypts the ciphertext (a check of the configured keys)."""
        try:
            self.decrypt(blob)
        except NikDecryptionError:
            return False
        return True

    def reencrypt(self, blob: bytes) -> bytes:
        """The same NIK under the current key version, with a fresh nonce."""
        return self.encrypt(self.decrypt(blob))

    def needs_reencryption(self, blob: bytes) -> bool:
        """True when the ciphertext was made with a retired key (see the module docstring)."""
        return not blob or blob[0] != self._key_version

    def index(self, nik: str) -> bytes:
        """The blind index: equal for equal NIKs, and useless without the index key."""
        _require_shape(nik)
        return hmac.new(self._index_key, nik.encode("ascii"), hashlib.sha256).digest()


def _require_key_length(key: bytes, name: str) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"the {name} must be {KEY_BYTES} bytes, not {len(key)}")


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        # The key text itself stays out of the message: it would end up in logs.
        raise ValueError(f"the {name} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"the {name} must be {KEY_BYTES} bytes after base64 decoding, not {len(key)}")
    return key
