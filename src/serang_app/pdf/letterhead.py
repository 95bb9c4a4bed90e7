"""The letterhead (kop surat) every PDF the app writes opens with: the government running the
deployment, the agency that issues the letter, and the government's address, centred, then a rule.

The government's name and address come from the deployment's identity (identity/deployment.py),
the agency's name from the agencies table, so a letter names the region configured and never a
text written into the code.
"""

from __future__ import annotations

from serang_app.identity.deployment import DeploymentIdentity
from serang_app.pdf.document import FONT, PdfDocument


def draw_letterhead(pdf: PdfDocument, identity: DeploymentIdentity, agency_name: str | None) -> None:
    """Draw the letterhead at the top of the current page, upper case as Indonesian letters have it."""
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, identity.government_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if agency_name:
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, agency_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if identity.address:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, identity.address, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    y = pdf.get_y()
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.ln(4)
    pdf.set_font(FONT, "", 12)
