"""Broadcasts: announcements admins publish to the whole regency or chosen districts."""
