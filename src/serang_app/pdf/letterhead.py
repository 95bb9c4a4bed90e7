"""The letterhead (kop surat) every PDF the app writes opens with: the government's logo at the
left, then centred the government running the deployment, the agency that issues the letter and
the government's address, then a rule.

The government's name and address come from the deployment's identity (identity/deployment.py),
the logo from SERANG_DEPLOYMENT_LOGO_FILE, the agency's name from the agencies table, so a letter
names the region configured and never a text written into the code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from serang_app.identity.deployment import DeploymentIdentity
from serang_app.pdf.font import FONT

if TYPE_CHECKING:
    # Only named here: the app imports this module, and fpdf2 only where a PDF is written (font.py).
    from serang_app.pdf.document import PdfDocument

LOGO_HEIGHT_MM = 22.0


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The deployment's identity, and its logo's bytes when one is configured."""

    identity: DeploymentIdentity
    logo: bytes | None = None


def letterhead(identity: DeploymentIdentity, logo_file: str | None) -> Letterhead:
    """Read once per process: the settings' check has made sure the file is a PNG or a JPEG."""
    return Letterhead(identity, Path(logo_file).read_bytes() if logo_file else None)


def draw_letterhead(pdf: PdfDocument, head: Letterhead, agency_name: str | None) -> None:
    """Draw the letterhead at the top of the current page, upper case as Indonesian letters have it."""
    top = pdf.get_y()
    margin = pdf.l_margin
    if head.logo is not None:
        pdf.image(io.BytesIO(head.logo), x=margin, y=top, h=LOGO_HEIGHT_MM)
        # The text is centred in the width right of the logo, as a kop surat has it.
        pdf.set_left_margin(margin + LOGO_HEIGHT_MM + 4)
        pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, head.identity.government_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if agency_name:
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, agency_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if head.identity.address:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, head.identity.address, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_left_margin(margin)
    if head.logo is not None:
        pdf.set_y(max(pdf.get_y(), top + LOGO_HEIGHT_MM))
    pdf.set_x(margin)
    pdf.ln(2)
    y = pdf.get_y()
    pdf.set_line_width(0.8)
    pdf.line(margin, y, pdf.w - pdf.r_margin, y)
    pdf.ln(4)
    pdf.set_font(FONT, "", 12)
