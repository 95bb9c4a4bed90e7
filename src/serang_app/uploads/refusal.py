"""Why a checked file is refused: raised in the checking process, carried back to the web process."""

from __future__ import annotations


class FileRefusedError(Exception):
    """The file is not what it must be; `code` is the problem code the phone is answered with."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
