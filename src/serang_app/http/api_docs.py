"""The API docs page (Swagger UI at /schema) with its files served by the app: it works offline.

Litestar's page loads Swagger UI from a CDN by default, so on a network without internet (a
regency's office, the data centre) it stayed blank. The files come from the swagger-ui-bundle-v2
package instead, installed with the app, and are served under /schema beside the page.
"""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from serang_app.auth.permissions import OPENAPI_PATH

# The folder's name carries Swagger UI's version (swagger-ui-5.31.0): a new version is a new URL,
# so browsers may keep the files for a day without ever mixing two versions.
ASSETS_PATH = f"{OPENAPI_PATH}/{swagger_ui_path.name}"
_ONE_DAY = 24 * 3600


def swagger_page() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


def swagger_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[swagger_ui_path],
        name="swagger_ui_assets",
        cache_control=CacheControlHeader(public=True, max_age=_ONE_DAY),
    )
