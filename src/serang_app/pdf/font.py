"""The name of the one typeface the app's PDFs use (DejaVu Sans, which document.py embeds).

A module of its own, without fpdf2, so that what only names the font (letterhead.py,
serang_app.api) does not import fpdf2: fpdf2 (with fontTools and numpy) was a third of the app's
import time, paid by every start of the app or a CLI command though only PDFs need it
(docs/testing.md, "Process starts").
"""

FONT = "dejavu"
