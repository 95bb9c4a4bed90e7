"""What every answer that serves a stored file, or sends the client to one, carries."""

from __future__ import annotations

from litestar.datastructures import ResponseHeader

# A browser must take the type the server checked and stored, never guess another from the bytes
# (a file sniffed as HTML would run in the page's origin). Set by Litestar on the route's answers.
NO_SNIFF = ResponseHeader(
    name="X-Content-Type-Options",
    value="nosniff",
    description="The file's type is the one stored; browsers must not guess another.",
)
