"""The regency's districts (kecamatan) and villages (desa/kelurahan)."""
