"""Which Kemendagri region codes a NIK may start with, decided offline.

A NIK's first six digits are PPRRDD: province, regency or city, and district (kecamatan) of the
place where the number was first issued. It never changes when the person moves, so a resident of
Kabupaten Serang may carry a prefix from anywhere in Indonesia, and from a district that has since
been split, merged or renumbered.

What "a known region code" means here:

* Province: one of the 38 current province codes (Kepmendagri 300.2.2-2138/2025). The list also
  covers every older province code a NIK can carry: before the 2022 Papua split, Papua was 94 and
  Papua Barat 91, both still in the list (now Papua Tengah and Papua); Timor Timur (54) left before
  NIKs were issued.
* Regency or city: 01-79. Kemendagri numbers regencies from 01 upward (none past the 40s) and
  cities from 71, so 00 and 80-99 are never issued. 70 is allowed, being inside the range the
  issue names, though no region uses it.
* District: 01-99, never 00. Nationwide, that is all we can say offline: no district list for
  the whole country is bundled (about 7,300 current codes plus an unknown number of retired ones,
  since Kemendagri does not publish a history of retired codes as data).
* Kabupaten Serang (36.04), where we do know the history: the district must be one of the 29
  current codes (data/reference/serang_regions.csv) or one of the six retired ones, 36.04.01-04,
  .10 and .21. Those belonged to districts that were split off or renamed (six of the regency's
  districts became Kota Serang, 36.73, in 2007); NIKs issued there before still start with them.

To check other regencies as strictly, add a national table here: e.g. district codes taken from
the Kepmendagri decrees (the cahyadsn/wilayah repository publishes them under the MIT licence),
together with each regency's retired codes, into a dict of regency prefix -> frozenset of district
parts shaped like KNOWN_DISTRICTS. Retired codes matter most: refusing a real, old NIK locks a
resident out, while accepting a made-up prefix costs little because the NIK is not proof of
identity here.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

KABUPATEN_SERANG = "3604"

SERANG_CURRENT_DISTRICTS: frozenset[str] = frozenset(
    f"{number:02d}" for number in (*range(5, 10), *range(11, 21), *range(22, 36))
)
SERANG_RETIRED_DISTRICTS: frozenset[str] = frozenset({"01", "02", "03", "04", "10", "21"})

# Regency prefix (PPRR) -> every district part a NIK issued there may carry.
KNOWN_DISTRICTS: dict[str, frozenset[str]] = {
    KABUPATEN_SERANG: SERANG_CURRENT_DISTRICTS | SERANG_RETIRED_DISTRICTS,
}


def is_known_province(code: str) -> bool:
    return code in PROVINCES


def is_possible_regency(code: str) -> bool:
    return len(code) == 2 and code.isdigit() and 1 <= int(code) <= 79


def is_known_district(regency_prefix: str, code: str) -> bool:
    """Strict where this module has a district list for the regency, structural elsewhere."""
    if len(code) != 2 or not code.isdigit() or code == "00":
        return False
    listed = KNOWN_DISTRICTS.get(regency_prefix)
    return listed is None or code in listed
