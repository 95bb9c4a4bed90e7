"""Service statistics, the satisfaction index, public transparency and the SPBE export (issue 10).

A fixed data set is built through the real API, at chosen instants (the case engine's clock),
across the public holidays of February and March 2026, pauses, a hand-over to another agency and
ratings. Every figure the endpoints answer is compared with the value worked out by hand below.

Holidays in the period (national and collective leave, from the `holidays` package):
Mon 16 and Tue 17 February 2026; Wed 18 to Tue 24 March 2026.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.pool import Database
from serang_app.stats.folding import fold_statistics
from serang_app.stats.ikm import compute_ikm, grade_of
from serang_app.stats.percentiles import percentile
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.lamps_module import LAMPS, NEW_POLE_SERVICE

if TYPE_CHECKING:
    from tests.support.database import TestServer

REPAIR, NEW_POLE = "lamps.repair", NEW_POLE_SERVICE  # DPUPR with an SLA of 3 days; DISPERKIM without
D05, D10 = "36.04.05", "36.04.09"  # Kramatwatu, Ciruas
# When the reports are asked for: Thursday 26 March 2026, noon.
NOW = "2026-03-26 12:00"
ALL_FOURS = dict.fromkeys(
    (
        "requirements",
        "procedure",
        "service_time",
        "cost",
        "product",
        "competence",
        "behaviour",
        "complaint_handling",
        "facilities",
    ),
    4,
)


def wib(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace(" ", "T") + "+07:00")


def survey(*scores: int) -> dict[str, int]:
    return dict(zip(ALL_FOURS, scores, strict=True))


class Clock:
    __test__ = False

    def __init__(self) -> None:
        self.moment = wib(NOW)

    def __call__(self) -> datetime:
        return self.moment


@dataclasses.dataclass
class Story:
    """Drives cases through the API at chosen instants."""

    client: AsyncTestClient[Litestar]
    clock: Clock
    resident: dict[str, str]
    staff: dict[str, dict[str, str]]  # by agency and role: "DPUPR officer"

    def at(self, moment: str) -> Story:
        self.clock.moment = wib(moment)
        return self

    async def report(self, moment: str, service: str = REPAIR, district: str | None = D05) -> str:
        self.at(moment)
        body: dict[str, Any] = {"pole_number": "PJU-1", "service": service, "district_code": district}
        response = await self.client.post("/v1/lamps/requests", json=body, headers=self.resident)
        assert response.status_code == 201, response.text
        case_id: str = response.json()["case_id"]
        return case_id

    async def act(self, moment: str, case_id: str, action: str, who: str, **body: Any) -> None:
        self.at(moment)
        headers = {**(self.resident if who == "resident" else self.staff[who]), "If-Match": "*"}
        response = await self.client.post(f"/v1/cases/{case_id}/actions/{action}", json=body or None, headers=headers)
        assert response.status_code == 200, response.text

    async def rate(self, moment: str, case_id: str, stars: int, scores: dict[str, int]) -> None:
        self.at(moment)
        response = await self.client.post(
            f"/v1/cases/{case_id}/rating", json={"stars": stars, "survey": scores}, headers=self.resident
        )
        assert response.status_code == 200, response.text


@pytest.fixture
async def story(database_url: str) -> AsyncIterator[Story]:
    app = app_for(database_url, modules=[LAMPS])
    clock = Clock()
    app.state.case_engine = dataclasses.replace(app.state.case_engine, now=clock)
    async with AsyncTestClient(app) as client:
        staff = {
            f"{agency} {role}": await signed_in_staff(client, database_url, role, agency)
            for agency in ("DPUPR", "DISHUB", "DISPERKIM")
            for role in ("officer", "supervisor")
        }
        staff["admin"] = await signed_in_staff(client, database_url, "admin", "DISKOMINFOSATIK")
        resident = bearer(await resident_tokens(client, "+6281399990001"))
        story = Story(client, clock, resident, staff)
        await build_the_data_set(story)
        story.at(NOW)
        yield story


async def build_the_data_set(s: Story) -> None:
    """Thirteen cases. For each: the due time, the working days it took, and what counts where."""
    officer, supervisor = "DPUPR officer", "DPUPR supervisor"
    # C1 Mon 9 Feb 09:00, fixed Thu 12 Feb 10:00. Due: 3 working days after Mon 9 = Thu 12, so
    # Fri 13 00:00: within. Took Tue, Wed, Thu = 3. Rated 5 stars, all fours.
    c1 = await s.report("2026-02-09 09:00")
    await s.act("2026-02-09 09:30", c1, "start", officer)
    await s.act("2026-02-12 10:00", c1, "finish", officer)
    await s.rate("2026-02-12 11:00", c1, 5, survey(4, 4, 4, 4, 4, 4, 4, 4, 4))
    # C2 Fri 13 Feb 15:00. Due: Wed 18, Thu 19, Fri 20 (16 and 17 are holidays), so Sat 21 00:00.
    # Waits for the resident from Mon 16 10:00 to Thu 19 08:00: the starts of Tue 17 (holiday),
    # Wed 18 and Thu 19 fall inside, 2 working days; due moves to Wed 25 00:00. Fixed Tue 24
    # 16:00: within. Elapsed Wed 18, Thu 19, Fri 20, Mon 23, Tue 24 = 5, less 2 paused = 3.
    c2 = await s.report("2026-02-13 15:00")
    await s.act("2026-02-13 15:30", c2, "start", officer)
    await s.act("2026-02-16 10:00", c2, "ask_resident", officer, note="Tiang nomor berapa?")
    await s.act("2026-02-19 08:00", c2, "answer", "resident")
    await s.act("2026-02-24 16:00", c2, "finish", officer)
    await s.rate("2026-02-25 09:00", c2, 4, survey(3, 3, 3, 3, 3, 3, 3, 3, 3))
    # C3 Tue 10 Feb 09:00 in district 09. Due Sat 14 00:00; fixed Wed 18 09:00: late. Took Wed 11,
    # Thu 12, Fri 13, Wed 18 = 4 (16 and 17 are holidays). Not rated.
    c3 = await s.report("2026-02-10 09:00", district=D10)
    await s.act("2026-02-10 10:00", c3, "start", officer)
    await s.act("2026-02-18 09:00", c3, "finish", officer)
    # C4 without a district, rejected Thu 12 Feb.
    c4 = await s.report("2026-02-11 10:00", district=None)
    await s.act("2026-02-12 09:00", c4, "reject", supervisor, note="Bukan lampu jalan kabupaten")
    # C5 cancelled by the resident on the day, Thu 26 Feb.
    c5 = await s.report("2026-02-26 10:00")
    await s.act("2026-02-26 11:00", c5, "cancel", "resident")
    # C6 Fri 27 Feb 09:00 in district 09, started, open. Due Mon 2, Tue 3, Wed 4 Mar, so Thu 5
    # 00:00: overdue now.
    c6 = await s.report("2026-02-27 09:00", district=D10)
    await s.act("2026-02-27 10:00", c6, "start", officer)
    # C7 Mon 2 Mar 09:00, handed to DISHUB at 10:00 (a fresh SLA: due Fri 6 00:00), fixed there
    # Tue 17 Mar 10:00: late. Took, from receipt, Tue 3 ... Tue 17 = 11 working days. Rated 2.
    c7 = await s.report("2026-03-02 09:00")
    await s.act("2026-03-02 10:00", c7, "forward", officer, note="Jalan nasional", opd_code="DISHUB")
    await s.act("2026-03-02 11:00", c7, "start", "DISHUB officer")
    await s.act("2026-03-17 10:00", c7, "finish", "DISHUB officer")
    await s.rate("2026-03-17 12:00", c7, 2, survey(2, 2, 2, 2, 2, 2, 2, 2, 1))
    # C8 Tue 17 Mar 14:00, before the holidays of 18-24 March. Due: Wed 25, Thu 26, Fri 27, so
    # Sat 28 00:00. Fixed Wed 25 09:00: within, took 1 working day. Rated 5.
    c8 = await s.report("2026-03-17 14:00")
    await s.act("2026-03-17 15:00", c8, "start", officer)
    await s.act("2026-03-25 09:00", c8, "finish", officer)
    await s.rate("2026-03-25 10:00", c8, 5, survey(4, 3, 4, 3, 4, 3, 4, 3, 2))
    # C9 a new pole (DISPERKIM, no SLA) Mon 9 Feb 10:00 in district 09, fixed Mon 23 Feb 10:00:
    # Tue 10 ... Fri 13, Wed 18 ... Mon 23 = 8 working days. Rated 3.
    c9 = await s.report("2026-02-09 10:00", service=NEW_POLE, district=D10)
    await s.act("2026-02-09 11:00", c9, "start", "DISPERKIM officer")
    await s.act("2026-02-23 10:00", c9, "finish", "DISPERKIM officer")
    await s.rate("2026-02-23 11:00", c9, 3, survey(3, 3, 3, 3, 3, 3, 3, 2, 3))
    # C10 a new pole Thu 12 Mar, no district, open: without an SLA it is never overdue.
    await s.report("2026-03-12 10:00", service=NEW_POLE, district=None)
    # C11 Wed 25 Mar 10:00, waiting for the resident since 11:00; due Tue 31 00:00: not overdue.
    c11 = await s.report("2026-03-25 10:00")
    await s.act("2026-03-25 10:30", c11, "start", officer)
    await s.act("2026-03-25 11:00", c11, "ask_resident", officer, note="Foto tiangnya?")
    # C12 Thu 5 Mar in district 09, due Wed 11 00:00, waiting since Mon 9 10:00, before it was
    # due: its clock stopped in time, not overdue.
    c12 = await s.report("2026-03-05 09:00", district=D10)
    await s.act("2026-03-05 10:00", c12, "start", officer)
    await s.act("2026-03-09 10:00", c12, "ask_resident", officer, note="Alamat lengkap?")
    # C13 Mon 2 Mar 08:00, due Fri 6 00:00, waiting only since Mon 9 10:00: overdue now.
    c13 = await s.report("2026-03-02 08:00")
    await s.act("2026-03-02 08:30", c13, "start", officer)
    await s.act("2026-03-09 10:00", c13, "ask_resident", officer, note="Tiang yang mana?")


async def get_json(s: Story, path: str, who: str = "admin", **params: str) -> Any:
    response = await s.client.get(path, params=params, headers=s.staff[who])
    assert response.status_code == 200, response.text
    return response.json()


def by_key(report: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {group["key"]: group for group in report["groups"]}


def brief(figures: dict[str, Any]) -> tuple[Any, ...]:
    time = figures["completion_working_days"]
    return (
        figures["received"],
        figures["open"],
        figures["completed"],
        figures["rejected"],
        figures["cancelled"],
        time["median"],
        time["p90"],
        figures["completed_with_sla"],
        figures["completed_within_sla"],
        figures["within_sla_share"],
        figures["overdue_now"],
        figures["ratings"],
        figures["average_rating"],
    )


async def test_every_figure_equals_the_hand_count(
    story: Story, database_url: str, app_database: Database, db: asyncpg.Connection
) -> None:
    period = {"from": "2026-02", "to": "2026-03"}
    by_agency = await get_json(story, "/v1/admin/stats", **period)
    assert by_agency["period"] == {"from": "2026-02", "to": "2026-03"}
    groups = by_key(by_agency)
    assert list(groups) == ["DISHUB", "DISPERKIM", "DPUPR"]
    # (received, open, completed, rejected, cancelled, median, p90, with SLA, within SLA, share,
    #  overdue now, ratings, average rating)
    # DPUPR: C1-C6, C8, C11-C13 received; open C6, C11, C12, C13; completed C1, C2, C3, C8 taking
    # 1, 3, 3, 4 days: median (3 + 3) / 2 = 3, p90 at rank 0.9 x 3 = 2.7: 3 + 0.7 x (4 - 3) = 3.7;
    # within C1, C2, C8 of 4; overdue C6 and C13; rated 5, 4, 5: 14 / 3 = 4.67.
    assert brief(groups["DPUPR"]) == (10, 4, 4, 1, 1, 3.0, 3.7, 4, 3, 0.75, 2, 3, 4.67)
    assert groups["DPUPR"]["name"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    # DISHUB: C7 only, 11 days, late, rated 2.
    assert brief(groups["DISHUB"]) == (1, 0, 1, 0, 0, 11.0, 11.0, 1, 0, 0.0, 0, 1, 2.0)
    # DISPERKIM: C9 (8 days, no SLA, rated 3) and C10 (open, no SLA).
    assert brief(groups["DISPERKIM"]) == (2, 1, 1, 0, 0, 8.0, 8.0, 0, 0, None, 0, 1, 3.0)
    # All: durations 1, 3, 3, 4, 8, 11: median (3 + 4) / 2 = 3.5; p90 at rank 4.5: 8 + 0.5 x 3 =
    # 9.5; within 3 of 5; stars 5 + 4 + 2 + 5 + 3 = 19 over 5.
    assert brief(by_agency["total"]) == (13, 5, 6, 1, 1, 3.5, 9.5, 5, 3, 0.6, 2, 5, 3.8)

    # February alone: received C1-C6, C9; C6 still open; completed C1, C2, C3 (3, 3, 4 days:
    # p90 at rank 1.8: 3 + 0.8 = 3.8) and C9; within C1 and C2 of 3; rated C1, C2, C9.
    february = by_key(await get_json(story, "/v1/admin/stats", **{"from": "2026-02"}))
    assert brief(february["DPUPR"]) == (6, 1, 3, 1, 1, 3.0, 3.8, 3, 2, 0.6667, 2, 2, 4.5)
    assert brief(february["DISPERKIM"]) == (1, 0, 1, 0, 0, 8.0, 8.0, 0, 0, None, 0, 1, 3.0)
    assert "DISHUB" not in february

    # By district: 05 has C1, C2, C5, C7, C8, C11, C13, completed in 3, 3, 11, 1 days (median 3,
    # p90 at rank 2.7: 3 + 0.7 x 8 = 8.6); 09 has C3, C6, C9, C12 (4 and 8 days: 6 and 7.6);
    # C4 and C10 have none.
    districts = by_key(await get_json(story, "/v1/admin/stats", group_by="district", **period))
    assert list(districts) == [D05, D10, None]
    assert brief(districts[D05])[:7] == (7, 2, 4, 0, 1, 3.0, 8.6)
    assert brief(districts[D10])[:7] == (4, 2, 2, 0, 0, 6.0, 7.6)
    assert brief(districts[None])[:7] == (2, 1, 0, 1, 0, None, None)
    assert districts[D05]["name"] == "Kramatwatu"
    # By service and module; a filter narrows the cases counted.
    services = by_key(await get_json(story, "/v1/admin/stats", group_by="service", **period))
    assert brief(services[REPAIR])[:5] == (11, 4, 5, 1, 1)
    assert brief(services[NEW_POLE])[:5] == (2, 1, 1, 0, 0)
    assert services[NEW_POLE]["name"] == "Usulan Lampu Jalan Baru"
    modules = by_key(await get_json(story, "/v1/admin/stats", group_by="module", **period))
    assert list(modules) == ["lamps"]
    assert modules["lamps"]["name"] == "Lampu jalan"
    assert modules["lamps"]["received"] == 13
    only_d10 = await get_json(story, "/v1/admin/stats", district=D10, **period)
    assert brief(only_d10["total"])[:7] == (4, 2, 2, 0, 0, 6.0, 7.6)

    # The figures come from the summaries: folding what is pending changes nothing.
    assert await db.fetchval("SELECT count(*) FROM stats_monthly_pending") > 0
    assert await fold_statistics(app_database) > 0
    assert await db.fetchval("SELECT count(*) FROM stats_monthly_pending") == 0
    assert await db.fetchval("SELECT count(*) FROM stats_durations_pending") == 0
    assert await get_json(story, "/v1/admin/stats", **period) == by_agency
    # ... and a change after the fold shows at once: C11's resident answers, C11 is fixed.
    c11 = await db.fetchval("SELECT id::text FROM cases WHERE status = 'waiting' ORDER BY created_at DESC LIMIT 1")
    await story.act("2026-03-26 09:00", c11, "answer", "resident")
    await story.act("2026-03-26 10:00", c11, "finish", "DPUPR officer")
    story.at(NOW)
    after = by_key(await get_json(story, "/v1/admin/stats", **period))
    # C11 (Wed 25 10:00, paused 11:00 to Thu 26 09:00: Thu's start, 1 day; elapsed Thu = 1): 0 days.
    assert brief(after["DPUPR"])[:9] == (10, 3, 5, 1, 1, 3.0, 3.6, 5, 4)

    # The CSV holds the same figures, one row per group and the total last.
    response = await story.client.get(
        "/v1/admin/stats", params=period, headers={**story.staff["admin"], "Accept": "text/csv"}
    )
    assert response.status_code == 200
    # One charset parameter: a parameter given twice is an error to strict parsers (RFC 6838).
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["key"] for row in rows] == ["DISHUB", "DISPERKIM", "DPUPR", ""]
    assert rows[-1]["name"] == "Total"
    assert (rows[2]["received"], rows[2]["median_working_days"], rows[2]["p90_working_days"]) == ("10", "3.0", "3.6")
    assert rows[1]["within_sla_share"] == ""  # no SLA: no share, not a zero


async def test_the_satisfaction_index_follows_permenpanrb_14_2017(story: Story) -> None:
    period = {"from": "2026-02", "to": "2026-03"}
    report = await get_json(story, "/v1/admin/stats/ikm", **period)
    groups = by_key(report)
    # DPUPR: C1 (all 4), C2 (all 3), C8 (4,3,4,3,4,3,4,3,2). Element averages: 11/3 for
    # requirements, service time, product, behaviour; 10/3 for procedure, cost, competence,
    # complaint handling; 9/3 for facilities. Index 93 / 27 = 3.4444; x 25 = 86.11: B, baik.
    dpupr = groups["DPUPR"]
    assert dpupr["respondents"] == 3
    assert {e["code"]: e["average"] for e in dpupr["elements"]} == {
        "requirements": 3.6667,
        "procedure": 3.3333,
        "service_time": 3.6667,
        "cost": 3.3333,
        "product": 3.6667,
        "competence": 3.3333,
        "behaviour": 3.6667,
        "complaint_handling": 3.3333,
        "facilities": 3.0,
    }
    assert (dpupr["index"], dpupr["converted"], dpupr["grade"], dpupr["performance"]) == (3.4444, 86.11, "B", "Baik")
    assert dpupr["elements"][0]["name"] == "Persyaratan"
    # DISHUB: eight 2s and a 1: 17 / 9 = 1.8889, 47.22, D. DISPERKIM: 26 / 9 = 2.8889, 72.22, C.
    assert (groups["DISHUB"]["converted"], groups["DISHUB"]["grade"]) == (47.22, "D")
    assert (groups["DISPERKIM"]["converted"], groups["DISPERKIM"]["grade"]) == (72.22, "C")
    # Everyone: (93 + 17 + 26) / (5 x 9) = 3.0222, 75.56, C.
    total = report["total"]
    assert (total["respondents"], total["index"], total["converted"], total["grade"]) == (5, 3.0222, 75.56, "C")
    # By service, in English.
    response = await story.client.get(
        "/v1/admin/stats/ikm",
        params={**period, "group_by": "service"},
        headers={**story.staff["admin"], "Accept-Language": "en"},
    )
    services = by_key(response.json())
    # The repair service: DPUPR's three and C7: (93 + 17) / 36 = 3.0556, 76.39, C (fair).
    assert (services[REPAIR]["converted"], services[REPAIR]["grade"], services[REPAIR]["performance"]) == (
        76.39,
        "C",
        "Fair",
    )
    assert services[REPAIR]["elements"][-1]["name"] == "Facilities"


def test_the_grade_bands_and_the_arithmetic() -> None:
    # The bands of PermenPANRB 14/2017 on the 25-100 scale, at their edges.
    assert [grade_of(value)[0] for value in (100, 88.31, 88.30, 76.61, 76.60, 65.00, 64.99, 25)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
    everyone_fours = compute_ikm(2, dict.fromkeys(ALL_FOURS, 8))
    assert everyone_fours is not None
    assert (everyone_fours.index, everyone_fours.converted, everyone_fours.grade) == (4.0, 100.0, "A")
    assert compute_ikm(0, dict.fromkeys(ALL_FOURS, 0)) is None
    # percentile_cont: the median of 1, 2, 4, 5 is 3; p90 of 1..10 is 9.1.
    assert percentile({1: 1, 2: 1, 4: 1, 5: 1}, 0.5) == 3
    assert percentile(dict.fromkeys(range(1, 11), 1), 0.9) == pytest.approx(9.1)
    assert percentile({}, 0.5) is None


async def test_supervisors_see_their_own_agency_only(story: Story) -> None:
    period = {"from": "2026-02", "to": "2026-03"}
    own = await get_json(story, "/v1/admin/stats", who="DISPERKIM supervisor", **period)
    assert [group["key"] for group in own["groups"]] == ["DISPERKIM"]
    assert own["total"]["received"] == 2
    for path in ("/v1/admin/stats", "/v1/admin/stats/ikm", "/v1/admin/stats/spbe"):
        other = await story.client.get(
            path, params={**period, "opd": "DPUPR"}, headers=story.staff["DISPERKIM supervisor"]
        )
        assert other.status_code == 403, path
        assert other.json()["code"] == "stats_other_agency"
        officer = await story.client.get(path, params=period, headers=story.staff["DPUPR officer"])
        assert officer.status_code == 403, path
        resident = await story.client.get(path, params=period, headers=story.resident)
        assert resident.status_code == 403, path
    spbe = await get_json(story, "/v1/admin/stats/spbe", who="DISPERKIM supervisor", **period)
    assert [service["service_code"] for service in spbe["services"]] == [NEW_POLE]


async def test_bad_periods_and_filters_are_named(story: Story) -> None:
    for params, field in (
        ({"from": "2026-13"}, "from"),
        ({"from": "March"}, "from"),
        ({"from": "2026-03", "to": "2026-02"}, "to"),
        ({"from": "2020-01", "to": "2026-12"}, "to"),
        ({"group_by": "resident"}, "group_by"),
        ({"district": "36.04"}, "district"),
    ):
        response = await story.client.get("/v1/admin/stats", params=params, headers=story.staff["admin"])
        assert response.status_code == 422, params
        assert field in response.text, params
    # One month alone is that month; none is the clock's month.
    only_to = await get_json(story, "/v1/admin/stats", to="2026-02")
    assert only_to["period"] == {"from": "2026-02", "to": "2026-02"}
    assert (await get_json(story, "/v1/admin/stats"))["period"] == {"from": "2026-03", "to": "2026-03"}
    # The IKM is per agency or per service only.
    ikm = await story.client.get("/v1/admin/stats/ikm", params={"group_by": "district"}, headers=story.staff["admin"])
    assert ikm.status_code == 422


async def test_the_public_figures_are_this_months_counts_and_nothing_personal(story: Story) -> None:
    response = await story.client.get("/v1/stats/public")
    assert response.status_code == 200
    assert "max-age=60" in response.headers["cache-control"]
    body = response.json()
    # March 2026 (the clock's month): DPUPR received C8, C11, C12, C13 and completed C8 within its
    # SLA; DISHUB received and completed C7, late; DISPERKIM received C10.
    assert body["month"] == "2026-03"
    agencies = {agency["opd_code"]: agency for agency in body["agencies"]}
    assert {code: (a["received"], a["completed"], a["within_sla_share"]) for code, a in agencies.items()} == {
        "DISHUB": (1, 1, 0.0),
        "DISPERKIM": (1, 0, None),
        "DPUPR": (4, 1, 1.0),
    }
    assert set(agencies["DPUPR"]) == {"opd_code", "short_name", "name", "received", "completed", "within_sla_share"}
    for personal in ("+62", "81399990001", "Staf Uji", "PJU", "Tiang", "@serangkab", '"nik'):
        assert personal not in response.text
    again = await story.client.get("/v1/stats/public", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_the_spbe_evidence_lists_every_service(story: Story) -> None:
    period = {"from": "2026-02", "to": "2026-03"}
    evidence = await get_json(story, "/v1/admin/stats/spbe", **period)
    assert evidence["regency"] == "Kabupaten Serang"
    services = {service["service_code"]: service for service in evidence["services"]}
    # Repair: 11 received, completed C1, C2, C3, C7, C8 (within C1, C2, C8), C4 rejected; IKM of
    # C1, C2, C7, C8 is 76.39 (C). New pole: C9 and C10, C9 completed, no SLA, IKM 72.22 (C).
    repair, new_pole = services[REPAIR], services[NEW_POLE]
    assert (repair["received"], repair["completed"], repair["rejected"]) == (11, 5, 1)
    assert (repair["completed_with_sla"], repair["completed_within_sla"], repair["within_sla_share"]) == (5, 3, 0.6)
    assert (repair["ikm"], repair["ikm_grade"], repair["ikm_respondents"], repair["sla_days"]) == (76.39, "C", 4, 3)
    assert repair["delivered_electronically"] is True
    assert (new_pole["received"], new_pole["completed"], new_pole["within_sla_share"]) == (2, 1, None)
    assert (new_pole["ikm"], new_pole["ikm_grade"], new_pole["opd_code"]) == (72.22, "C", "DISPERKIM")
    response = await story.client.get(
        "/v1/admin/stats/spbe", params=period, headers={**story.staff["admin"], "Accept": "text/csv"}
    )
    rows = {row["service_code"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert (rows[REPAIR]["received"], rows[REPAIR]["ikm"], rows[REPAIR]["delivered_electronically"]) == (
        "11",
        "76.39",
        "true",
    )
    assert rows[NEW_POLE]["period_from"] == "2026-02"


async def test_statistics_are_read_from_the_replica_when_one_is_set(
    database_url: str, test_server: TestServer, migrated_template: str
) -> None:
    replica_name = await test_server.create_database(template=migrated_template)
    try:
        for replica, expected in ((None, 1), (test_server.dsn(replica_name), 0)):
            extra = {"DATABASE_REPLICA_URL": replica} if replica else {}
            app = app_for(database_url, modules=[LAMPS], **extra)
            async with AsyncTestClient(app) as client:
                if replica is None:
                    resident = bearer(await resident_tokens(client, "+6281399990002"))
                    created = await client.post("/v1/lamps/requests", json={"pole_number": "P"}, headers=resident)
                    assert created.status_code == 201
                admin = await signed_in_staff(client, database_url, "admin", "DISKOMINFOSATIK")
                report = (await client.get("/v1/admin/stats", headers=admin)).json()
                # The replica here is another, empty database: what it answers proves where it read.
                assert report["total"]["received"] == expected
    finally:
        await test_server.drop_database(replica_name)
