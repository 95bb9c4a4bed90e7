"""The community satisfaction index (Indeks Kepuasan Masyarakat, IKM) of PermenPANRB 14/2017.

Each respondent scores nine elements (unsur) from 1 to 4. The regulation's computation:
- the average per element (nilai rata-rata, NRR): the element's total score / respondents;
- the weighted index: the sum of each NRR times the weight, the weight being "number of weights
  / number of elements" = 1/9 for nine elements. The regulation's worked example rounds it to
  0.111; we keep 1/9 exactly, so that a service everybody scores 4 gets 100, the top of its scale;
- converted to the 25-100 scale: the index times 25;
- the quality grade (mutu pelayanan) and performance (kinerja unit pelayanan) by the regulation's
  table of converted intervals (docs/statistics.md cites it):
    25.00 - 64.99  D  tidak baik
    65.00 - 76.60  C  kurang baik
    76.61 - 88.30  B  baik
    88.31 - 100.00 A  sangat baik
  The converted value is rounded to two decimals before it is placed in a band, as the table's
  bounds are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from serang_app.bilingual import Text

# The survey's columns (case_ratings), in the regulation's order U1..U9.
ELEMENTS: tuple[tuple[str, Text], ...] = (
    ("requirements", Text(id="Persyaratan", en="Requirements")),
    ("procedure", Text(id="Sistem, mekanisme, dan prosedur", en="System, mechanism and procedure")),
    ("service_time", Text(id="Waktu penyelesaian", en="Completion time")),
    ("cost", Text(id="Biaya/tarif", en="Cost or tariff")),
    ("product", Text(id="Produk spesifikasi jenis pelayanan", en="Service product specification")),
    ("competence", Text(id="Kompetensi pelaksana", en="Staff competence")),
    ("behaviour", Text(id="Perilaku pelaksana", en="Staff behaviour")),
    ("complaint_handling", Text(id="Penanganan pengaduan, saran dan masukan", en="Handling of complaints")),
    ("facilities", Text(id="Sarana dan prasarana", en="Facilities")),
)
ELEMENT_CODES = tuple(code for code, _ in ELEMENTS)

Grade = Literal["A", "B", "C", "D"]

# (lowest converted value of the band, grade, performance in Indonesian, in English), best first.
_BANDS: tuple[tuple[float, Grade, str, str], ...] = (
    (88.31, "A", "Sangat baik", "Very good"),
    (76.61, "B", "Baik", "Good"),
    (65.00, "C", "Kurang baik", "Fair"),
    (25.00, "D", "Tidak baik", "Poor"),
)


@dataclass(frozen=True, slots=True)
class Ikm:
    respondents: int
    element_averages: dict[str, float]  # NRR per element, 1..4
    index: float  # weighted, 1..4
    converted: float  # 25..100, two decimals
    grade: Grade
    performance: Text


def compute_ikm(respondents: int, element_totals: Mapping[str, int]) -> Ikm | None:
    """The IKM of `respondents` surveys whose scores add up to `element_totals`; None for none."""
    if respondents <= 0:
        return None
    averages = {code: element_totals[code] / respondents for code in ELEMENT_CODES}
    index = sum(averages.values()) / len(ELEMENT_CODES)
    converted = round(index * 25, 2)
    grade, performance = grade_of(converted)
    return Ikm(
        respondents=respondents,
        element_averages={code: round(value, 4) for code, value in averages.items()},
        index=round(index, 4),
        converted=converted,
        grade=grade,
        performance=performance,
    )


def grade_of(converted: float) -> tuple[Grade, Text]:
    for lowest, grade, indonesian, english in _BANDS:
        if converted >= lowest:
            return grade, Text(id=indonesian, en=english)
    raise ValueError(f"an IKM on the 25-100 scale cannot be {converted}")
