"""The one way the app writes a PDF: an FPDF with DejaVu Sans embedded, for every text.

fpdf2's built-in fonts (Helvetica and the like) hold Latin-1 only, so a name typed with the
apostrophe phones insert (U+2019) or with diacritics outside Latin-1 (`Ṣāliḥ`) could not be
written and the permit could never be downloaded. DejaVu Sans (fonts/LICENSE says where it comes
from) covers Latin with every diacritic, Greek, Cyrillic, Arabic and more; fpdf2 embeds only the
glyphs a document uses, so a permit stays small.

Every text passes `normalize_text`, which fpdf2 calls for each cell, line and paragraph: a
character stored before the text rules (a control character, a lone surrogate) is replaced
there, so what the database holds cannot break a document.
"""

from __future__ import annotations

from importlib.resources import files

from fpdf import FPDF

from serang_app.http.text import writable
from serang_app.pdf.font import FONT

__all__ = ["FONT", "PdfDocument"]
_FONTS = files("serang_app.pdf") / "fonts"


class PdfDocument(FPDF):
    """An A4 FPDF whose font is DejaVu Sans (styles "" and "B"): `set_font(FONT, "B", 14)`."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            self.add_font(FONT, style, str(_FONTS / name))
        self.set_font(FONT, size=12)

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(writable(text))

    def set_title(self, title: str) -> None:
        # The metadata is written apart from the page text, without normalize_text.
        super().set_title(writable(title, one_line=True))
