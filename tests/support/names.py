"""Names residents really have, written with escapes so the typographic characters stay visible."""

# The apostrophe phones type (U+2019), outside Latin-1.
MARUF = "Ma\u2019ruf Amin"
# Diacritics of transliterated Arabic (dot below, macron), outside Latin-1 too.
NURAINI = "Siti Nur\u2019aini \u1e62\u0101li\u1e25"
OTHER_NAMES = ("Muhammad \u02bfAbdul Q\u0101dir", "Nguy\u1ec5n Th\u1ecb M\u1ef9", "\u0645\u062d\u0645\u062f")
