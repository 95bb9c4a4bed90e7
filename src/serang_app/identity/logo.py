"""Which files the letterhead can show as the government's logo (SERANG_DEPLOYMENT_LOGO_FILE)."""

# By the file's first bytes: PNG and JPEG, the two fpdf2 embeds without a conversion.
LOGO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
