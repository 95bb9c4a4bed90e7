"""The append-only audit log: every staff write, every full-NIK read, every sign-in attempt."""
