"""Residents: profiles, NIK, UU PDP rights."""
