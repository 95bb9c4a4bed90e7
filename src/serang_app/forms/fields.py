"""Typed form fields a module lets admins define and residents answer (Open311's attributes):
a complaint category's extra questions, a permit type's application form."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from serang_app.http.text import MULTILINE_TEXT, PLAIN_TEXT

ShortText = Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=120)]
FieldCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
# Open311 GeoReport v2 attribute datatypes.
Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
# Text rules for answers are checked by forms/checking.py (`answer_text_problems`), not by patterns here:
# msgspec 0.22 crashes on a union holding both a patterned str and a list (the process segfaults
# once another union of an equal annotated str is made).
AttributeAnswer = str | float | list[str]


class LocalText(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text in both languages, as admins write it."""

    id: ShortText
    en: ShortText


LongText = Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=1000)]


class LongLocalText(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A description in both languages, as admins write it."""

    id: LongText
    en: LongText


class AttributeChoice(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    key: FieldCode
    name: LocalText


class Attribute(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A question (Open311's attribute): its answer's type, whether it must
    be answered, and for the list types the choices."""

    code: FieldCode
    datatype: Datatype
    description: LocalText
    required: bool = False
    values: Annotated[list[AttributeChoice], msgspec.Meta(max_length=50)] = []
