"""Notifications: the in-app inbox, the phones to push to, and the texts in each language."""
