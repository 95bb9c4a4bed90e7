"""Checking PDFs with pypdf: run in a checking process (check_pool.py), never in the web process.

A document is kept only if it is a PDF that pypdf can read and that holds no active content: no
JavaScript (a /JS entry, a /JavaScript name tree or action) and no /Launch action, wherever they
sit (the catalogue's /OpenAction and /AA, a page's or a form field's /AA, a link's /A) and however
the file stores them (plain objects or compressed object streams). The agencies open these files
on office computers: a document has no business running code there.

pypdf parses; which entries are active is our rule, written here: no well-kept library says
"this PDF runs code". Every object the cross-reference table names is read once (pypdf opens the
object streams), and its dictionaries are searched through without following references, since
each referenced object is read on its own. pypdf bounds what a compressed stream may expand to.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from serang_app.uploads.refusal import FileRefusedError

_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript"})
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})


def check_document(data: bytes) -> None:
    """Nothing when the PDF may be kept; FileRefusedError(code) otherwise."""
    # A PDF starts with its header (readers tolerate a few bytes of junk before it; we do not).
    if not data.startswith(b"%PDF-"):
        raise FileRefusedError("upload_not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Object streams of an encrypted file are encrypted: unreadable without the password,
        # so a file that needs one cannot be checked (nor read by the agency).
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise FileRefusedError("upload_pdf_locked")
        for value in _objects(reader):
            if _is_active(value):
                raise FileRefusedError("upload_pdf_active_content")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise FileRefusedError("upload_not_pdf") from None  # malformed beyond what pypdf mends


def _objects(reader: PdfReader) -> Iterator[Any]:
    yield reader.trailer
    numbers = {(number, generation) for generation, table in reader.xref.items() for number in table}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    for number, generation in sorted(numbers):
        yield reader.get_object(IndirectObject(number, generation, reader))


def _is_active(value: Any) -> bool:
    """Whether this object, or a dictionary or array written inside it, is active content."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):  # stream objects are dictionaries too
            if _ACTIVE_KEYS.intersection(item) or item.get("/S") in _ACTIVE_ACTIONS:
                return True
            pending.extend(v for v in item.values() if not isinstance(v, IndirectObject))
        elif isinstance(item, ArrayObject):
            pending.extend(v for v in item if not isinstance(v, IndirectObject))
    return False
