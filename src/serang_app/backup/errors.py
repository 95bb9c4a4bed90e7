"""The one error the backup commands raise: its message is the whole line the operator reads."""


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, without secrets."""
