"""Builds the Litestar application: the core's domains (domains.py), HTTP behaviour, and the enabled modules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins import InitPlugin
from litestar.routes import HTTPRoute

from serang_app import __version__
from serang_app.announcements.service import AnnouncementFeed
from serang_app.app_config.store import AppConfigCache
from serang_app.app_config.version_gate import require_supported_app
from serang_app.app_state import case_engine_of, check_pool_of
from serang_app.auth.access_tokens import AccessTokens
from serang_app.auth.firebase_lifespan import firebase_lifespan
from serang_app.auth.keys import nik_vault, signing_keys
from serang_app.auth.middleware import BearerTokenAuthentication, signed_in_middleware
from serang_app.auth.permissions import OPENAPI_PATH, PERMISSION_OPT, PermissionRegistry, is_public
from serang_app.auth.sessions import SessionIssuer
from serang_app.cases.engine import CaseEngine, case_engine_for
from serang_app.cases.registry import WorkflowRegistry
from serang_app.catalogue.service import CatalogueCache
from serang_app.db.pool import Database
from serang_app.domains import CORE_DOMAINS, permission_registry, problem_texts
from serang_app.health.tracing import tracing_plugins
from serang_app.http.access_log import AccessLog, ConsoleAccessLog
from serang_app.http.allow_header import allowed_methods_by_path
from serang_app.http.api_docs import swagger_page
from serang_app.http.messages import register_problems
from serang_app.http.openapi import DocumentErrorsPlugin, operation_id
from serang_app.http.problems import problem_details_plugin
from serang_app.http.rate_limits import request_identifier
from serang_app.http.request_middleware import request_middleware
from serang_app.http.strict_body import check_json_body_strictly
from serang_app.http.write_limits import write_limit_middleware
from serang_app.identity.deployment import deployment_identity
from serang_app.lifespan import database_lifespan
from serang_app.module_system.discovery import ModuleError, enabled_specs
from serang_app.module_system.plugin import ModulesPlugin
from serang_app.module_system.spec import ModuleSpec
from serang_app.module_system.validation import validate_modules
from serang_app.notifications.texts import NotificationTexts
from serang_app.pdf.letterhead import letterhead
from serang_app.regions.boundaries import region_area
from serang_app.regions.service import RegionDirectory
from serang_app.settings import Settings
from serang_app.stats.public import PublicStatsCache
from serang_app.storage.factory import open_storage
from serang_app.uploads.check_pool import CheckPool

OPS_PATHS = ["/healthz", "/readyz", "/metrics"]


def load_modules(settings: Settings) -> list[ModuleSpec]:
    """The enabled modules, checked and in dependency order (raises ModuleError)."""
    return validate_modules(enabled_specs(settings.enabled_module_slugs))


def create_app(settings: Settings, modules: Sequence[ModuleSpec] | None = None) -> Litestar:
    specs = load_modules(settings) if modules is None else validate_modules(modules)
    app = Litestar(
        # Given here, not in the plugin: Litestar 2.25 reads this one from its constructor argument
        # and ignores a value a plugin sets on the AppConfig.
        request_max_body_size=settings.max_body_bytes,
        before_request=_before_every_request,
        plugins=[
            CorePlugin(settings, specs),
            ModulesPlugin(specs),
            problem_details_plugin(),
            DocumentErrorsPlugin(),
            *tracing_plugins(settings),
        ],
    )
    check_route_permissions(app)
    app.state.allowed_methods = allowed_methods_by_path(app)
    return app


class CorePlugin(InitPlugin):
    """Wires the core: its domains' routes (domains.py), shared state and dependencies, lifespans,
    limits, metrics, logging and the OpenAPI document, one named step each."""

    def __init__(self, settings: Settings, specs: Sequence[ModuleSpec]) -> None:
        self._settings = settings
        self._specs = list(specs)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        self._routes(app_config)
        self._texts()
        self._state(app_config)
        self._dependencies(app_config)
        self._lifespans(app_config)
        self._middleware(app_config)
        self._openapi(app_config)
        app_config.debug = False
        # Logging is configured once by logs.py; Litestar's default config would add its own format.
        app_config.logging_config = None
        return app_config

    def _routes(self, app_config: AppConfig) -> None:
        """Every core domain's routes: public ones as they are, signed-in ones on one router
        behind authentication and idempotency (auth/middleware.py)."""
        mounted = [domain for domain in CORE_DOMAINS if domain.routes_when(self._settings)]
        app_config.route_handlers.extend(route for domain in mounted for route in domain.public_routes)
        app_config.route_handlers.append(
            Router(
                path="/",
                route_handlers=[route for domain in mounted for route in domain.signed_in_routes],
                middleware=signed_in_middleware(),
            )
        )

    def _texts(self) -> None:
        """The problem texts of the core's domains and the enabled modules, by code."""
        register_problems(problem_texts(self._specs))

    def _state(self, app_config: AppConfig) -> None:
        app_config.state = State(state_for(self._settings, self._specs))

    def _dependencies(self, app_config: AppConfig) -> None:
        app_config.dependencies.update(
            {
                "database": Provide(_database, sync_to_thread=False),
                # What modules open and move their cases with (cases/opening.py, cases/transitions.py).
                "cases": Provide(_case_engine, sync_to_thread=False),
            }
        )

    def _lifespans(self, app_config: AppConfig) -> None:
        """The database first (modules' lifespans, added after, find it open), then Firebase."""
        app_config.lifespan.insert(0, database_lifespan(self._specs))
        app_config.lifespan.insert(1, firebase_lifespan)
        app_config.on_shutdown.append(_close_check_pool)

    def _middleware(self, app_config: AppConfig) -> None:
        """Our request middleware outermost, then the request limit and the write limit."""
        settings = self._settings
        access_log = _access_log(settings)
        app_config.middleware.insert(0, request_middleware(access_log))
        if access_log is not None:
            app_config.on_shutdown.append(access_log.flush)  # the last half second of lines
        if settings.rate_limit_per_minute:
            app_config.middleware.append(
                RateLimitConfig(
                    rate_limit=("minute", settings.rate_limit_per_minute),
                    exclude=OPS_PATHS,
                    identifier_for_request=request_identifier(settings.trusted_proxy_networks),
                ).middleware
            )
        if settings.rate_limit_writes_per_minute or settings.rate_limit_public_writes_per_minute:
            app_config.middleware.append(write_limit_middleware(settings))

    def _openapi(self, app_config: AppConfig) -> None:
        app_config.openapi_config = OpenAPIConfig(
            title="Serang super-app API",
            version=__version__,
            # One document for every deployment: the region is a setting (GET /v1/app/config names it).
            description="The API the public-service app of a regency or city is built against. "
            "Errors are RFC 9457 problem details in Indonesian (default) or English (Accept-Language: en).",
            path="/schema",
            render_plugins=[swagger_page()],
            use_handler_docstrings=False,
            operation_id_creator=operation_id,
        )


def state_for(settings: Settings, specs: Sequence[ModuleSpec]) -> dict[str, Any]:
    """The app-scoped objects handlers read from `state` (app_state.py), made from the settings.

    Everything in an app that follows from its settings and is not a route is made here or at
    start from `state.settings` (the lifespans read them there), so that an app given a new state
    runs with the new settings: the tests point one built app at each test's own database and
    folder this way (tests/support/app_shelf.py) instead of building an app per test.
    """
    registry = permission_registry(specs)
    access_tokens = AccessTokens(signing_keys(settings), settings.access_token_seconds)
    identity = deployment_identity(settings)
    return {
        "settings": settings,
        "app_config_cache": AppConfigCache(identity),
        "public_stats_cache": PublicStatsCache(identity),
        "module_names": {spec.slug: spec.name for spec in specs},
        "catalogue_cache": CatalogueCache([spec.slug for spec in specs], settings.catalogue_cache_seconds),
        "identity": identity,
        "letterhead": letterhead(identity, settings.deployment_logo_file),
        "region_directory": RegionDirectory(settings.region_code),
        "region_area": region_area(settings.region_code, settings.region_boundaries_dir),
        "announcement_feed": AnnouncementFeed(),
        "case_engine": case_engine_for(WorkflowRegistry(specs), settings.time_zone),
        "storage": open_storage(settings),
        "check_pool": CheckPool(settings.upload_check_processes, settings.upload_check_queue),
        "notification_texts": NotificationTexts(CORE_DOMAINS, specs),
        "access_tokens": access_tokens,
        "nik_vault": nik_vault(settings),
        "firebase_verifier": None,
        "permission_registry": registry,
        "session_issuer": SessionIssuer(
            access_tokens,
            registry,
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
            refresh_grace=timedelta(seconds=settings.refresh_grace_seconds),
        ),
    }


def _close_check_pool(app: Litestar) -> None:
    check_pool_of(app.state).close()


def _access_log(settings: Settings) -> AccessLog | None:
    if not settings.access_log:
        return None
    return AccessLog() if settings.log_format == "json" else ConsoleAccessLog()


def _case_engine(state: State) -> CaseEngine:
    return case_engine_of(state)


async def _before_every_request(request: Request[Any, Any, Any]) -> None:
    """Old apps are told to update before anything else; then bodies are checked strictly."""
    await require_supported_app(request)
    await check_json_body_strictly(request)


def _database(state: State) -> Database:
    database: Database = state.database
    return database


def check_route_permissions(app: Litestar) -> None:
    """Refuse to start when a route declares neither `public` nor a known permission."""
    problems = route_permission_problems(app)
    if problems:
        raise ModuleError("; ".join(problems))


def route_permission_problems(app: Litestar) -> list[str]:
    """Every route that is public by accident: no permission declared, an unknown one, or not
    behind the authentication middleware. Also what the module contract tests check."""
    registry: PermissionRegistry = app.state.permission_registry
    problems = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(OPENAPI_PATH):
            continue
        for handler in route.route_handlers:
            if is_public(handler):
                continue
            code = handler.opt.get(PERMISSION_OPT)
            behind_authentication = any(
                getattr(layer, "middleware", None) is BearerTokenAuthentication
                for layer in handler.resolve_middleware()
            )
            if not behind_authentication:
                problems.append(f"{route.path} ({handler.handler_name}) is not behind the authentication middleware")
            if code is None:
                problems.append(f"{route.path} ({handler.handler_name}) declares no permission")
            elif code not in registry:
                problems.append(f"{route.path} ({handler.handler_name}) needs unknown permission {code!r}")
    return problems
