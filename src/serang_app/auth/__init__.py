"""Sign-in and tokens for residents and staff."""
