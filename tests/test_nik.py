from __future__ import annotations

import base64
import csv
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from serang_app.residents.nik import (
    NikDecryptionError,
    NikError,
    NikVault,
    ParsedNik,
    Sex,
    mask_nik,
    parse_nik,
)
from serang_app.residents.region_codes import (
    KABUPATEN_SERANG,
    KNOWN_DISTRICTS,
    PROVINCES,
    SERANG_CURRENT_DISTRICTS,
    SERANG_RETIRED_DISTRICTS,
)

TODAY = date(2025, 6, 30)
REGIONS_CSV = Path(__file__).parents[1] / "data" / "reference" / "serang_regions.csv"
ENCRYPTION_KEY = os.urandom(32)
INDEX_KEY = os.urandom(32)
VAULT = NikVault(ENCRYPTION_KEY, INDEX_KEY)
# No example database: it would leave a .hypothesis folder in the work tree.
PROPERTY = settings(database=None, max_examples=200)


def refusal(value: str, *, today: date = TODAY) -> NikError:
    with pytest.raises(NikError) as caught:
        parse_nik(value, today=today)
    return caught.value


def parse_or_refusal(value: str) -> ParsedNik | NikError:
    """For properties over any input: anything but a ParsedNik or a NikError fails the test."""
    try:
        return parse_nik(value, today=TODAY)
    except NikError as error:
        return error


# --- accepted NIKs -------------------------------------------------------------------------------


def test_a_man_born_in_kramatwatu() -> None:
    parsed = parse_nik("3604051705900001", today=TODAY)
    assert parsed.value == "3604051705900001"
    assert (parsed.province, parsed.regency, parsed.district) == ("36", "04", "05")
    assert parsed.region_code == "36.04.05"
    assert parsed.birth_date == date(1990, 5, 17)
    assert parsed.sex == "male"
    assert parsed.serial == 1


def test_a_woman_has_40_added_to_her_day_of_birth() -> None:
    parsed = parse_nik("3604064708920012", today=TODAY)
    assert parsed.birth_date == date(1992, 8, 7)
    assert parsed.sex == "female"
    assert parsed.serial == 12


def test_a_woman_born_on_the_31st_has_day_71() -> None:
    parsed = parse_nik("3604057112990001", today=TODAY)
    assert parsed.birth_date == date(1999, 12, 31)
    assert parsed.sex == "female"


def test_a_nik_from_jakarta_is_accepted() -> None:
    parsed = parse_nik("3171014101000123", today=TODAY)
    assert parsed.region_code == "31.71.01"
    assert parsed.birth_date == date(2000, 1, 1)
    assert parsed.sex == "female"
    assert parsed.serial == 123


def test_an_old_serang_district_code_is_accepted() -> None:
    parsed = parse_nik("3604011203850002", today=TODAY)
    assert parsed.region_code == "36.04.01"
    assert parsed.birth_date == date(1985, 3, 12)


@pytest.mark.parametrize("district", sorted(SERANG_RETIRED_DISTRICTS))
def test_every_retired_serang_district_is_accepted(district: str) -> None:
    assert parse_nik(f"3604{district}1705900001", today=TODAY).district == district


def test_a_papua_barat_daya_nik_is_accepted() -> None:
    assert parse_nik("9671011705900001", today=TODAY).province == "96"


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_nik(" \t3604051705900001\n", today=TODAY).value == "3604051705900001"


def test_29_february_of_a_leap_year_is_a_birth_date() -> None:
    assert parse_nik("3604052902040001", today=TODAY).birth_date == date(2004, 2, 29)


def test_the_century_puts_the_birth_date_on_or_before_today() -> None:
    assert parse_nik("3604051005100001", today=TODAY).birth_date == date(2010, 5, 10)
    assert parse_nik("3604053006250001", today=TODAY).birth_date == date(2025, 6, 30)
    assert parse_nik("3604050107250001", today=TODAY).birth_date == date(1925, 7, 1)
    assert parse_nik("3604050101990001", today=TODAY).birth_date == date(1999, 1, 1)


def test_the_default_today_accepts_someone_born_yesterday() -> None:
    yesterday = date.today() - timedelta(days=1)
    nik = f"360405{yesterday:%d%m%y}0001"
    assert parse_nik(nik).birth_date == yesterday


def test_a_parsed_nik_shows_only_its_masked_form() -> None:
    parsed = parse_nik("3604051705900001", today=TODAY)
    assert repr(parsed) == "ParsedNik(3604**********01)"
    assert "051705900" not in str(parsed)
    assert "1990" not in repr(parsed)


# --- refused NIKs --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "length"), [("360405170590001", 15), ("36040517059000012", 17), ("", 0)])
def test_a_wrong_length_is_refused(value: str, length: int) -> None:
    error = refusal(value)
    assert error.code == "length"
    assert error.messages["en"] == f"A NIK has 16 digits; this one has {length}."
    assert f"{length} digit" in error.messages["id"]


@pytest.mark.parametrize(
    "value",
    ["36040517059000O1", "3604 0517 0590 0001", "3604.0517.0590.01", "٣٦٠٤٠٥١٧٠٥٩٠٠٠٠١", "360405170590000¹"],
)
def test_anything_but_ascii_digits_is_refused(value: str) -> None:
    error = refusal(value)
    assert error.code == "not_digits"
    assert "0-9" in error.messages["en"]
    assert "hanya berisi angka" in error.messages["id"]


@pytest.mark.parametrize("province", ["99", "97", "20", "00", "54"])
def test_an_unknown_province_is_refused(province: str) -> None:
    error = refusal(f"{province}04051705900001")
    assert error.code == "region"
    assert error.messages["en"] == f"The first two digits of the NIK ({province}) are not an Indonesian province code."
    assert "bukan kode provinsi" in error.messages["id"]


@pytest.mark.parametrize("regency", ["00", "80", "99"])
def test_an_impossible_regency_is_refused(regency: str) -> None:
    error = refusal(f"36{regency}051705900001")
    assert error.code == "region"
    assert "regency or city" in error.messages["en"]
    assert "kabupaten/kota" in error.messages["id"]


@pytest.mark.parametrize("district", ["99", "36", "00"])
def test_a_district_serang_never_had_is_refused(district: str) -> None:
    error = refusal(f"3604{district}1705900001")
    assert error.code == "region"
    assert "Kabupaten Serang" in error.messages["en"]
    assert "Kabupaten Serang" in error.messages["id"]
    assert f"({district})" in error.messages["en"]


def test_district_00_is_refused_everywhere() -> None:
    error = refusal("3171001705900001")
    assert error.code == "region"
    assert error.messages["en"] == "Digits 5-6 of the NIK (00) are not a district (kecamatan) code."


@pytest.mark.parametrize("nik", ["3604053102900001", "3604057102900001", "3604052902010001", "3604051713900001"])
def test_a_date_that_does_not_exist_is_refused(nik: str) -> None:
    error = refusal(nik)
    assert error.code == "birth_date"
    assert error.messages["en"] == "Digits 7-12 of the NIK are not a real date of birth (DDMMYY)."
    assert "bukan tanggal lahir" in error.messages["id"]


@pytest.mark.parametrize("encoded_day", ["72", "00", "32", "40", "99"])
def test_a_day_outside_both_ranges_is_refused(encoded_day: str) -> None:
    error = refusal(f"360405{encoded_day}05900001")
    assert error.code == "birth_date"
    assert "01-31 for men, 41-71 for women" in error.messages["en"]
    assert "41-71 untuk perempuan" in error.messages["id"]


def test_a_birth_date_in_the_future_is_refused() -> None:
    # Both readings of 17-06-95 (2095 and 1995) lie after this "today".
    error = refusal("3604051706950001", today=date(1995, 1, 1))
    assert error.code == "birth_date"
    assert error.messages["en"] == "The date of birth in the NIK is in the future."
    assert error.messages["id"] == "Tanggal lahir pada NIK berada di masa depan."


def test_serial_0000_is_refused() -> None:
    error = refusal("3604051705900000")
    assert error.code == "serial"
    assert "0000" in error.messages["en"]
    assert "nomor urut" in error.messages["id"]


def test_a_refusal_is_a_value_error_whose_text_is_english_and_never_repeats_the_nik() -> None:
    error = refusal("3604051705900000")
    assert isinstance(error, ValueError)
    assert str(error) == error.messages["en"]
    assert error.message() == error.messages["id"]
    assert error.message("en") == error.messages["en"]
    for message in error.messages.values():
        assert "3604051705900000" not in message
        assert "170590" not in message


# --- masking -------------------------------------------------------------------------------------


def test_masking_keeps_the_first_four_and_last_two_digits() -> None:
    assert mask_nik("3604051705900001") == "3604**********01"


def test_masking_refuses_what_is_not_a_nik() -> None:
    with pytest.raises(NikError) as caught:
        mask_nik("36040517")
    assert caught.value.code == "length"


# --- the vault -----------------------------------------------------------------------------------


def test_the_ciphertext_is_version_nonce_and_sealed_nik() -> None:
    blob = VAULT.encrypt("3604051705900001")
    assert blob[0] == 1
    assert len(blob) == 1 + 12 + 16 + 16
    assert b"3604051705900001" not in blob
    assert VAULT.decrypt(blob) == "3604051705900001"


def test_the_index_is_an_hmac_sha256_keyed_with_the_index_key() -> None:
    index = VAULT.index("3604051705900001")
    assert len(index) == 32
    other_key_vault = NikVault(ENCRYPTION_KEY, os.urandom(32))
    assert other_key_vault.index("3604051705900001") != index
    same_index_key_vault = NikVault(os.urandom(32), INDEX_KEY)
    assert same_index_key_vault.index("3604051705900001") == index


def test_another_key_cannot_decrypt() -> None:
    blob = VAULT.encrypt("3604051705900001")
    with pytest.raises(NikDecryptionError, match="key is wrong or the data was altered"):
        NikVault(os.urandom(32), INDEX_KEY).decrypt(blob)


def test_a_ciphertext_made_for_another_purpose_does_not_decrypt() -> None:
    nonce = os.urandom(12)
    foreign = b"\x01" + nonce + AESGCM(ENCRYPTION_KEY).encrypt(nonce, b"3604051705900001", b"something-else")
    with pytest.raises(NikDecryptionError):
        VAULT.decrypt(foreign)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + bytes(27)])
def test_a_truncated_ciphertext_is_refused(blob: bytes) -> None:
    with pytest.raises(NikDecryptionError):
        VAULT.decrypt(blob)


def test_the_vault_takes_only_canonical_niks() -> None:
    for method in (VAULT.encrypt, VAULT.index):
        with pytest.raises(NikError):
            method(" 3604051705900001")


def test_rotation_decrypts_old_ciphertexts_and_marks_them_for_reencryption() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    old_vault = NikVault(old_key, INDEX_KEY)
    old_blob = old_vault.encrypt("3604051705900001")
    rotated = NikVault(new_key, INDEX_KEY, key_version=2, retired_encryption_keys={1: old_key})
    new_blob = rotated.encrypt("3604051705900001")
    assert new_blob[0] == 2
    assert rotated.decrypt(old_blob) == rotated.decrypt(new_blob) == "3604051705900001"
    assert rotated.needs_reencryption(old_blob)
    assert not rotated.needs_reencryption(new_blob)
    assert rotated.index("3604051705900001") == old_vault.index("3604051705900001")
    with pytest.raises(NikDecryptionError, match="key version 1"):
        NikVault(new_key, INDEX_KEY, key_version=2).decrypt(old_blob)


def test_the_key_version_cannot_be_relabelled() -> None:
    # The same key under two versions: only the associated data can tell the labels apart.
    key = os.urandom(32)
    vault = NikVault(key, INDEX_KEY, key_version=2, retired_encryption_keys={1: key})
    relabelled = b"\x01" + vault.encrypt("3604051705900001")[1:]
    with pytest.raises(NikDecryptionError):
        vault.decrypt(relabelled)


@pytest.mark.parametrize(
    ("encryption_key", "index_key", "message"),
    [
        (bytes(16), bytes(32), "encryption key version 1 must be 32 bytes, not 16"),
        (os.urandom(32), bytes(31), "index key must be 32 bytes, not 31"),
        (b"k" * 32, b"k" * 32, "must differ"),
    ],
    # Named, not shown: a random key in a test's id would differ between pytest-xdist's processes.
    ids=["short encryption key", "short index key", "same keys"],
)
def test_bad_keys_are_refused(encryption_key: bytes, index_key: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NikVault(encryption_key, index_key)


def test_the_index_key_must_differ_from_retired_keys_too() -> None:
    with pytest.raises(ValueError, match="must differ"):
        NikVault(os.urandom(32), INDEX_KEY, key_version=2, retired_encryption_keys={1: INDEX_KEY})


@pytest.mark.parametrize(("version", "retired"), [(256, {}), (-1, {}), (1, {1: os.urandom(32)})])
def test_bad_key_versions_are_refused(version: int, retired: dict[int, bytes]) -> None:
    with pytest.raises(ValueError, match="version"):
        NikVault(os.urandom(32), INDEX_KEY, key_version=version, retired_encryption_keys=retired)


def test_from_base64_builds_a_working_vault() -> None:
    encryption_b64 = base64.b64encode(ENCRYPTION_KEY).decode()
    index_b64 = base64.b64encode(INDEX_KEY).decode()
    vault = NikVault.from_base64(f" {encryption_b64}\n", index_b64)
    assert vault.decrypt(VAULT.encrypt("3604051705900001")) == "3604051705900001"
    assert vault.index("3604051705900001") == VAULT.index("3604051705900001")


def test_from_base64_refuses_a_key_of_the_wrong_size() -> None:
    short = base64.b64encode(os.urandom(16)).decode()
    with pytest.raises(ValueError, match="NIK encryption key must be 32 bytes after base64 decoding, not 16"):
        NikVault.from_base64(short, base64.b64encode(INDEX_KEY).decode())


def test_from_base64_refuses_text_that_is_not_base64_without_echoing_it() -> None:
    secret_looking = "not base64 at all: s3cr3t!"
    with pytest.raises(ValueError, match="NIK index key is not valid base64") as caught:
        NikVault.from_base64(base64.b64encode(ENCRYPTION_KEY).decode(), secret_looking)
    assert "s3cr3t" not in str(caught.value)


def test_from_base64_reads_retired_keys() -> None:
    old_key = os.urandom(32)
    old_blob = NikVault(old_key, INDEX_KEY).encrypt("3604051705900001")
    vault = NikVault.from_base64(
        base64.b64encode(ENCRYPTION_KEY).decode(),
        base64.b64encode(INDEX_KEY).decode(),
        key_version=2,
        retired_encryption_keys_b64={1: base64.b64encode(old_key).decode()},
    )
    assert vault.decrypt(old_blob) == "3604051705900001"


def test_versioned_keys_encrypt_with_the_first_and_reencrypt_the_others() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    old_blob = NikVault(old_key, INDEX_KEY).encrypt("3604051705900001")
    vault = NikVault.from_versions([(7, new_key), (1, old_key)], INDEX_KEY)
    assert (vault.key_version, vault.key_versions) == (7, frozenset({1, 7}))
    moved = vault.reencrypt(old_blob)
    assert moved[0] == 7
    assert NikVault.from_versions([(7, new_key)], INDEX_KEY).decrypt(moved) == "3604051705900001"
    assert vault.opens(old_blob)
    assert not NikVault.from_versions([(1, new_key)], INDEX_KEY).opens(old_blob)  # the wrong key for v1
    with pytest.raises(ValueError, match="listed once"):
        NikVault.from_versions([(1, new_key), (1, old_key)], INDEX_KEY)


# --- the region list -----------------------------------------------------------------------------


def test_there_are_38_provinces_including_the_new_papua_ones() -> None:
    assert len(PROVINCES) == 38
    assert {"91", "92", "93", "94", "95", "96"} <= PROVINCES.keys()
    assert PROVINCES["93"] == "Papua Selatan"
    assert "97" not in PROVINCES


def test_current_serang_districts_match_the_reference_data() -> None:
    with REGIONS_CSV.open(newline="", encoding="utf-8") as file:
        districts = {row["code"] for row in csv.DictReader(file) if row["level"] == "district"}
    assert {f"36.04.{code}" for code in SERANG_CURRENT_DISTRICTS} == districts
    assert not SERANG_RETIRED_DISTRICTS & SERANG_CURRENT_DISTRICTS
    assert {f"{n:02d}" for n in range(1, 36)} == SERANG_CURRENT_DISTRICTS | SERANG_RETIRED_DISTRICTS


# --- properties ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedNik:
    value: str
    region: str
    birth_date: date
    sex: Sex
    serial: int
    today: date


@st.composite
def regions(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return KABUPATEN_SERANG + draw(st.sampled_from(sorted(KNOWN_DISTRICTS[KABUPATEN_SERANG])))
    prefix = draw(st.sampled_from(sorted(PROVINCES))) + f"{draw(st.integers(1, 79)):02d}"
    if prefix in KNOWN_DISTRICTS:
        return prefix + draw(st.sampled_from(sorted(KNOWN_DISTRICTS[prefix])))
    return prefix + f"{draw(st.integers(1, 99)):02d}"


@st.composite
def valid_niks(draw: st.DrawFn) -> GeneratedNik:
    today = draw(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
    # Two-digit years cover the hundred years up to today; one day more would be read as this century.
    oldest = today.replace(year=today.year - 100) + timedelta(days=1)
    birth_date = draw(st.dates(min_value=oldest, max_value=today))
    sex: Sex = draw(st.sampled_from(["female", "male"]))
    serial = draw(st.integers(1, 9999))
    region = draw(regions())
    day = birth_date.day + (40 if sex == "female" else 0)
    value = f"{region}{day:02d}{birth_date:%m%y}{serial:04d}"
    return GeneratedNik(value, region, birth_date, sex, serial, today)


@PROPERTY
@given(valid_niks())
def test_every_valid_nik_parses_back_to_what_built_it(nik: GeneratedNik) -> None:
    parsed = parse_nik(nik.value, today=nik.today)
    assert parsed.value == nik.value
    assert parsed.province + parsed.regency + parsed.district == nik.region
    assert parsed.birth_date == nik.birth_date
    assert parsed.sex == nik.sex
    assert parsed.serial == nik.serial


@PROPERTY
@given(valid_niks())
def test_serial_0000_is_refused_for_any_otherwise_valid_nik(nik: GeneratedNik) -> None:
    assert refusal(nik.value[:12] + "0000", today=nik.today).code == "serial"


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_16_digits_are_either_refused_cleanly_or_read_consistently(value: str) -> None:
    parsed = parse_or_refusal(value)
    if isinstance(parsed, NikError):
        assert parsed.code in {"region", "birth_date", "serial"}
        return
    day = parsed.birth_date.day + (40 if parsed.sex == "female" else 0)
    rebuilt = f"{parsed.region_code.replace('.', '')}{day:02d}{parsed.birth_date:%m%y}{parsed.serial:04d}"
    assert rebuilt == value
    assert parsed.birth_date <= TODAY


@PROPERTY
@given(st.text())
def test_any_text_is_either_a_nik_or_a_nik_error(value: str) -> None:
    outcome = parse_or_refusal(value)
    if isinstance(outcome, NikError):
        assert outcome.messages["id"]
        assert outcome.messages["en"]
    else:
        assert outcome.value == value.strip()


@PROPERTY
@given(valid_niks())
def test_encryption_round_trips_with_a_fresh_nonce_each_time(nik: GeneratedNik) -> None:
    first, second = VAULT.encrypt(nik.value), VAULT.encrypt(nik.value)
    assert first != second
    assert first[1:13] != second[1:13]
    assert VAULT.decrypt(first) == VAULT.decrypt(second) == nik.value


@PROPERTY
@given(valid_niks(), valid_niks())
def test_the_index_is_deterministic_and_tells_niks_apart(one: GeneratedNik, other: GeneratedNik) -> None:
    assume(one.value != other.value)
    assert VAULT.index(one.value) == VAULT.index(one.value)
    assert VAULT.index(one.value) != VAULT.index(other.value)


@PROPERTY
@given(valid_niks())
def test_the_mask_keeps_only_the_first_four_and_last_two_digits(nik: GeneratedNik) -> None:
    masked = mask_nik(nik.value)
    assert len(masked) == 16
    assert masked[:4] == nik.value[:4]
    assert masked[-2:] == nik.value[-2:]
    assert masked[4:14] == "*" * 10


@PROPERTY
@given(valid_niks(), st.data())
def test_any_altered_byte_makes_decryption_fail(nik: GeneratedNik, data: st.DataObject) -> None:
    blob = bytearray(VAULT.encrypt(nik.value))
    position = data.draw(st.integers(0, len(blob) - 1), label="position")
    blob[position] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(NikDecryptionError):
        VAULT.decrypt(bytes(blob))
