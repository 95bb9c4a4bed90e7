"""Whether the address `serve` is about to listen on is free, asked before anything else starts."""

from __future__ import annotations

import errno
import socket

from serang_app.startup.failures import StartupError


def check_can_listen(host: str, port: int) -> None:
    """Raise StartupError naming the address when it cannot be bound (in use, not ours, privileged).

    granian would fail the same way, but only after the database and the migrations, with a Rust
    backtrace instead of a sentence.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise StartupError(f"SERANG_HOST: cannot listen on {host!r}: {error.strerror}") from None
    family, kind, protocol, _, address = addresses[0]
    with socket.socket(family, kind, protocol) as probe:
        # As a server sets it: a port whose last connections are still closing counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            hint = "PORT or --port chooses another" if error.errno == errno.EADDRINUSE else "SERANG_HOST, PORT"
            raise StartupError(f"cannot listen on {host}:{port}: {reason} ({hint})") from None
