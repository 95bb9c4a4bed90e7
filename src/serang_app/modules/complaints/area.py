"""Where a complaint may be: inside the regency's bounding area.

No boundary polygon of the regency is available offline (the reference data lists districts and
villages without shapes), so the check is a rectangle around Kabupaten Serang, from the Sunda
Strait coast at Cinangka to the Tangerang border at Cikande and from Pulau Tunda to the southern
hills. It also takes in the city of Serang, which lies inside the regency: a pin there passes
this check and the agency rejects or forwards it. The district the resident chooses is what
routes and counts the complaint.
"""

from __future__ import annotations

# The schema of a new complaint takes these as the bounds of its latitude and longitude.
SOUTH, NORTH = -6.40, -5.78
WEST, EAST = 105.80, 106.45
