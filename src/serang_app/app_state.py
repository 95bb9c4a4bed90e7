"""Typed access to the objects the app keeps in its state.

Core handlers that need more than one of them take Litestar's `state` parameter instead of
injected dependencies: Litestar resolves two or more dependencies in an anyio task group on every
request, which costs more than a short query (measured in docs/performance.md). A handler that
needs only the database may keep `database: NamedDependency[Database]`, as module authors do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from litestar.datastructures import State

if TYPE_CHECKING:
    from serang_app.auth.sessions import SessionIssuer
    from serang_app.cases.engine import CaseEngine
    from serang_app.db.pool import Database
    from serang_app.identity.deployment import DeploymentIdentity
    from serang_app.notifications.texts import NotificationTexts
    from serang_app.pdf.letterhead import Letterhead
    from serang_app.regions.boundaries import RegionArea
    from serang_app.residents.nik import NikVault
    from serang_app.settings import Settings
    from serang_app.storage.backend import Storage
    from serang_app.uploads.check_pool import CheckPool


def database_of(state: State) -> Database:
    return cast("Database", state.database)


def settings_of(state: State) -> Settings:
    return cast("Settings", state.settings)


def session_issuer_of(state: State) -> SessionIssuer:
    return cast("SessionIssuer", state.session_issuer)


def nik_vault_of(state: State) -> NikVault:
    return cast("NikVault", state.nik_vault)


def case_engine_of(state: State) -> CaseEngine:
    return cast("CaseEngine", state.case_engine)


def storage_of(state: State) -> Storage:
    return cast("Storage", state.storage)


def check_pool_of(state: State) -> CheckPool:
    return cast("CheckPool", state.check_pool)


def notification_texts_of(state: State) -> NotificationTexts:
    return cast("NotificationTexts", state.notification_texts)


def region_area_of(state: State) -> RegionArea:
    """The configured region's boundaries: where a pin lies (regions/boundaries.py)."""
    return cast("RegionArea", state.region_area)


def identity_of(state: State) -> DeploymentIdentity:
    """Who runs this deployment: the region and its government (identity/deployment.py)."""
    return cast("DeploymentIdentity", state.identity)


def letterhead_of(state: State) -> Letterhead:
    """What every PDF's letterhead shows: the identity and the logo (pdf/letterhead.py)."""
    return cast("Letterhead", state.letterhead)
