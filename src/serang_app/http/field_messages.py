"""What is wrong with one field, by kind, in Indonesian and English.

A field error names its kind with a stable `code` (the `code` of each entry of a 422's
`errors`, listed in docs/api-compatibility.md) and its text comes from this table, so a schema
error reads the same whichever decoder found it (msgspec, jsonschema, Litestar's parameters).
Domain checks write their own texts (`LocalizedFieldError`) and name the kind `invalid` unless
they say otherwise.
"""

from __future__ import annotations

from serang_app.http.locale import Locale

# code -> (Indonesian, English); the texts may hold {placeholders} filled from the error's params.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "type": ("Harus berupa {expected}", "Must be {expected}"),
    "required": ("Wajib diisi", "Required"),
    "unknown_field": ("Isian `{name}` tidak dikenal", "Unknown field `{name}`"),
    "min_length": ("Paling sedikit {limit} karakter", "At least {limit} characters"),
    "max_length": ("Paling banyak {limit} karakter", "At most {limit} characters"),
    "min_items": ("Paling sedikit {limit} butir", "At least {limit} items"),
    "max_items": ("Paling banyak {limit} butir", "At most {limit} items"),
    "pattern": ("Format tidak sesuai", "Not in the expected format"),
    "minimum": ("Paling kecil {limit}", "At least {limit}"),
    "maximum": ("Paling besar {limit}", "At most {limit}"),
    "exclusive_minimum": ("Harus lebih dari {limit}", "Must be more than {limit}"),
    "exclusive_maximum": ("Harus kurang dari {limit}", "Must be less than {limit}"),
    "enum": ("Nilai tidak termasuk pilihan yang tersedia", "Not one of the allowed values"),
    "format": ("Harus berformat {format}", "Must be in {format} format"),
    "unique_items": ("Ada butir yang sama", "Items must not repeat"),
    "invalid": ("Isian tidak valid", "Invalid value"),
}

# JSON Schema's type names as a resident reads them.
_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("teks", "text"),
    "integer": ("bilangan bulat", "a whole number"),
    "number": ("angka", "a number"),
    "boolean": ("true atau false", "true or false"),
    "array": ("daftar", "a list"),
    "object": ("objek", "an object"),
    "null": ("null", "null"),
}


def field_text(code: str, locale: Locale, params: dict[str, object] | None = None) -> str:
    """The sentence for a field error of this kind; a kind without a table entry reads as `invalid`."""
    indonesian, english = FIELD_MESSAGES.get(code, FIELD_MESSAGES["invalid"])
    template = english if locale == "en" else indonesian
    values = dict(params or {})
    if "expected" in values:
        values["expected"] = _type_names(values["expected"], locale)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        # A kind whose details the decoder did not give reads as the general sentence.
        return FIELD_MESSAGES["invalid"][1 if locale == "en" else 0]


def _type_names(expected: object, locale: Locale) -> str:
    names = expected if isinstance(expected, list | tuple) else [expected]
    words = [_TYPE_NAMES.get(str(name), (str(name), str(name)))[1 if locale == "en" else 0] for name in names]
    return (" or " if locale == "en" else " atau ").join(words)
