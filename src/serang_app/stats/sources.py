"""Where statistics are read from: the read replica when DATABASE_REPLICA_URL is set, else the
primary. The summaries are small, but reports are read by people who may ask for years at once,
and a replica keeps even that away from the residents' requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from litestar.datastructures import State

from serang_app.db.pool import Database


def stats_database_of(state: State) -> Database:
    return cast("Database", state.stats_database)


def module_names_of(state: State) -> Mapping[str, str]:
    return cast("Mapping[str, str]", state.module_names)
