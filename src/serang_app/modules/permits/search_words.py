"""What staff search an application by (docs/permits.md): the answers the applicant wrote (the
`string` and `text` fields of the service version it was filed under: a business name, an
address, a purpose), not the codes of chosen values; and the applicant's name, which the permit
is issued to anyway."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg

from serang_app.api import CaseWords, index_case_words
from serang_app.modules.permits.versions import ServiceVersion

_WRITTEN = frozenset({"string", "text"})
_ANSWERS = """
SELECT a.case_id, a.answers, v.body -> 'fields' AS fields
FROM permits.applications a
JOIN permits.definition_versions v ON v.code = a.type_code AND v.version = a.definition_version
WHERE a.case_id = ANY($1::uuid[])
"""


def application_words(fields: Iterable[Mapping[str, Any]], answers: Mapping[str, Any]) -> CaseWords:
    written = [answers.get(field["code"]) for field in fields if field["datatype"] in _WRITTEN]
    return CaseWords(words=tuple(answer for answer in written if isinstance(answer, str)))


async def index_application_words(
    connection: asyncpg.Connection, case_id: uuid.UUID, kind: ServiceVersion, answers: Mapping[str, Any]
) -> None:
    """In the transaction that submits the application or changes its answers."""
    fields = [{"code": field.code, "datatype": field.datatype} for field in kind.fields]
    words = application_words(fields, answers)
    await index_case_words(connection, case_id, words.words, resident_findable=words.resident_findable)


async def read_application_words(
    connection: asyncpg.Connection, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, CaseWords]:
    """The words of applications submitted before they were indexed, for the worker's backfill."""
    rows = await connection.fetch(_ANSWERS, case_ids)
    return {row["case_id"]: application_words(row["fields"], row["answers"]) for row in rows}
