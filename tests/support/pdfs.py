"""Small PDFs written byte by byte, so a test controls exactly where an entry sits.

pypdf's writer no longer writes JavaScript, and cannot be told to put chosen objects in a
compressed object stream; both are what the upload check has to find.
"""

from __future__ import annotations

import struct
import zlib

PAGE_TREE = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
}


def catalog(extra: bytes = b"") -> dict[int, bytes]:
    """A one-page document's objects; `extra` goes into the catalogue (object 1)."""
    return {1: b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>", **PAGE_TREE}


def plain_pdf(objects: dict[int, bytes]) -> bytes:
    """Objects written as they are, with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def compressed_pdf(objects: dict[int, bytes]) -> bytes:
    """Every object inside one Flate-compressed object stream, found through a cross-reference
    stream: nothing of them is readable in the file's bytes."""
    numbers = sorted(objects)
    stream_number, xref_number = max(numbers) + 1, max(numbers) + 2
    header, body = bytearray(), bytearray()
    for number in numbers:
        header += b"%d %d " % (number, len(body))
        body += objects[number] + b"\n"
    packed = zlib.compress(bytes(header) + bytes(body))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        stream_number,
        len(numbers),
        len(header),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in objects:
            rows.append(struct.pack(">BIH", 2, stream_number, numbers.index(number)))
        elif number == stream_number:
            rows.append(struct.pack(">BIH", 1, stream_offset, 0))
        elif number == xref_number:
            rows.append(struct.pack(">BIH", 1, xref_offset, 0))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 65535))
    table = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        xref_number + 1,
        len(table),
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
