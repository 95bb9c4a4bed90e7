"""The app's configuration: public and cached, edited by admins; an app older than its platform's
minimum is told to update (426 with the store link) on every route but the configuration."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.accounts import signed_in_staff

CONFIG: dict[str, Any] = {
    "android": {"min_version": "2.1", "store_url": "https://play.google.com/store/apps/details?id=id.serangkab.app"},
    "ios": {"min_version": "2.0.3", "store_url": None},
    "maintenance": {"id": "Pemeliharaan Sabtu 22.00-23.00 WIB.", "en": "Maintenance on Saturday 22:00-23:00 WIB."},
    "features": {"appointments": True, "open311": False},
}


async def test_old_apps_are_told_to_update_and_admins_set_the_minimum(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    first = await client.get("/v1/app/config")
    assert first.status_code == 200
    assert first.json()["android"]["min_version"] == "1.0.0"
    assert (await client.get("/v1/app/config", headers={"If-None-Match": first.headers["etag"]})).status_code == 304

    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    assert (await client.put("/v1/admin/app-config", json=CONFIG, headers=officer)).status_code == 403
    bad = await client.put(
        "/v1/admin/app-config",
        json={**CONFIG, "android": {"min_version": "two", "store_url": "http://insecure"}},
        headers=admin,
    )
    assert bad.status_code == 422
    saved = await client.put("/v1/admin/app-config", json=CONFIG, headers=admin)
    assert saved.status_code == 200, saved.text
    after = await client.get("/v1/app/config")
    published = after.json()
    # Who runs the service comes from the settings (the default region here), beside what admins keep.
    assert published.pop("deployment")["government_name"] == "Pemerintah Kabupaten Serang"
    assert published == CONFIG
    assert after.headers["etag"] != first.headers["etag"]

    def app(platform: str, version: str) -> dict[str, str]:
        return {"X-App-Platform": platform, "X-App-Version": version}

    old = await client.get("/v1/services", headers=app("android", "2.0.9"))
    assert old.status_code == 426
    problem = old.json()
    assert problem["code"] == "app_update_required"
    assert problem["store_url"] == CONFIG["android"]["store_url"]
    assert "2.1" in problem["detail"]
    english = await client.get("/v1/services", headers={**app("android", "1.0"), "Accept-Language": "en"})
    assert english.json()["title"] == "Update the app"
    # Equal or newer, another platform's rule, no or unreadable headers: served.
    for headers in (app("android", "2.1.0"), app("android", "10.0"), app("ios", "2.0.3"), {}, app("android", "beta")):
        assert (await client.get("/v1/services", headers=headers)).status_code == 200, headers
    old_ios = await client.get("/v1/regions", params={"parent": "36.04"}, headers=app("ios", "2.0.2"))
    assert (old_ios.status_code, old_ios.json()["store_url"]) == (426, None)
    # The configuration itself stays readable, so the old app learns what to do.
    assert (await client.get("/v1/app/config", headers=app("android", "1.0"))).status_code == 200
