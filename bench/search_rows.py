"""The search rows: an officer's `GET /v1/staff/cases?q=` over a million complaints (issue 22).

No bare ceiling: what is measured is the search's own query, not the framework around it. Each
row is one kind of search an officer makes: a common word, a rare word, a misspelt name and an
exact reference, each the first page of the officer's inbox (open cases, by due time).
"""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import quote

import msgspec

from bench import BenchError
from bench.load import choose_generator
from bench.measuring import RowContext, fetch, measure, say
from bench.report import Row
from bench.search import AGENCY, COMMON_WORD, MISSPELT_NAME, RARE_WORD, seed_search
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys

INBOX = "/v1/staff/cases"


def measure_search(run: RowContext) -> list[Row]:
    count = run.options.search_complaints
    say(f"seeding {count:,} complaints' cases and search rows over five agencies ...")
    setup = asyncio.run(seed_search(run.database_url, count))
    say(f"seeded in {setup.seconds:.0f} s")
    token = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600).issue(
        AccessSubject(kind="staff", id=uuid.UUID(setup.officer_id))
    )
    headers = {"Authorization": f"Bearer {token}"}
    searches = (
        ("a common word", COMMON_WORD),
        ("a rare word", RARE_WORD),
        ("a misspelt name", MISSPELT_NAME),
        ("an exact reference", setup.reference),
    )
    at_32 = choose_generator(run.options, run.options.case_connections)
    rows = []
    for what, q in searches:
        path = f"{INBOX}?q={quote(q)}"
        found = len(msgspec.json.decode(fetch(run.service, path, headers))["items"])
        if found == 0:
            raise BenchError(f"searching {AGENCY}'s inbox for {q!r} should find cases")
        rows.append(
            measure(
                at_32,
                run.options,
                run.meter,
                f"GET {INBOX}?q= ({what}, {count:,} complaints)",
                run.service,
                path,
                headers,
            )
        )
    return rows
