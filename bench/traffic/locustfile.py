"""The mixed load of issue 24 as Locust users: residents, officers and an admin, each making the
journeys of bench/traffic/model.py at the model's pace.

Run by `python -m bench.traffic` (which seeds the accounts and writes the plan file this reads,
BENCH_TRAFFIC_PLAN); Locust's own statistics name every request by its kind in model.MIX.

Pacing: every user starts a journey at most once per think time (Locust's constant_throughput),
so the rate holds at the planned figure whatever the answers' speed, until the service saturates.
A simulated resident stands for successive residents: after a one-off act (a booking, a rating)
it takes the next seeded account, as the next resident opening the app would.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from locust import FastHttpUser, constant_throughput, events, task
from locust.exception import StopUser

from bench.traffic import model

_PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_TRAFFIC_PLAN"]).read_text(encoding="utf-8"))
_PHOTO = Path(_PLAN["photo_file"]).read_bytes()
_ACCOUNTS: Iterator[dict[str, Any]] = iter(_PLAN["residents"])
_SURGE_ACCOUNTS: Iterator[dict[str, Any]] = iter(_PLAN["surge_residents"])
_OFFICERS: Iterator[dict[str, Any]] = iter(_PLAN["officers"])
_STARTED = time.monotonic()
# A photo's completion answered 503 "checks busy" (docs/uploads.md) is tried again after the
# Retry-After it names, as the app does, this many times in all; the busy answers are reported
# under their own name.
COMPLETION_TRIES = 4
BUSY_COMPLETION = "POST /v1/uploads/{id}/complete (busy: retried after Retry-After)"
# An officer moves a case one step on: the action, and the note it needs.
NEXT_STEP = {
    "submitted": ("verify", None),
    "verified": ("start_work", None),
    "in_progress": ("resolve", "Sudah diperbaiki."),
}


_RESIDENT_JOURNEYS = [journey.name for journey in model.journeys_of("resident")]
_RESIDENT_WEIGHTS = [journey.weight for journey in model.journeys_of("resident")]


class _SignedIn(FastHttpUser):
    abstract = True
    access_token = ""

    def auth(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", **(extra or {})}

    def get_json(self, path: str, name: str) -> Any:
        with self.client.get(path, name=name, headers=self.auth(), catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return None
            return answer.json()

    def post_json(
        self,
        path: str,
        name: str,
        body: Any,
        *,
        expect: tuple[int, ...] = (200, 201),
        headers: dict[str, str] | None = None,
    ) -> Any:
        with self.client.post(path, name=name, json=body, headers=self.auth(headers), catch_response=True) as answer:
            if answer.status_code not in expect:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return None
            # An expected 4xx (a case a colleague moved first) is a success here: Locust would
            # otherwise count every 4xx it was not told about as a failure.
            answer.success()
            return answer.json() if answer.text and answer.status_code < 300 else {}


class Resident(_SignedIn):
    """A resident on the app: the journeys of model.JOURNEYS with user "resident"."""

    weight = 0  # the runner sets fixed_count
    wait_time = constant_throughput(1 / model.RESIDENT_VISIT_SECONDS)
    accounts = _ACCOUNTS

    def on_start(self) -> None:
        # The ramp-up (a think time long, bench/traffic/options.py) spreads the first visits, and
        # constant_throughput keeps each user's visits a think time apart from its first one.
        self.next_account()

    def next_account(self) -> None:
        try:
            account = next(self.accounts)
        except StopIteration:
            raise StopUser() from None  # the seeded accounts ran out: the runner reports it
        self.access_token = account["access_token"]
        self.refresh_token = account["refresh_token"]
        self.token_issued = account["issued_at"]

    def refresh_when_due(self) -> None:
        """The app refreshes its access token at 80 % of its lifetime."""
        if time.time() - self.token_issued < model.ACCESS_TOKEN_SECONDS * model.REFRESH_AT_SHARE:
            return
        with self.client.post(
            "/v1/auth/refresh",
            name="POST /v1/auth/refresh",
            json={"refresh_token": self.refresh_token},
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return
            tokens = answer.json()
        self.access_token, self.refresh_token = tokens["access_token"], tokens["refresh_token"]
        self.token_issued = time.time()

    def where(self) -> tuple[float, float]:
        latitude, longitude = random.choice(_PLAN["points"])
        return latitude, longitude

    def open_app(self) -> None:
        self.get_json("/v1/app/config", "GET /v1/app/config")
        self.get_json("/v1/services", "GET /v1/services")
        self.get_json("/v1/announcements", "GET /v1/announcements")
        self.get_json("/v1/me/notifications", "GET /v1/me/notifications")
        self.get_json("/v1/me/cases", "GET /v1/me/cases")

    def follow_case(self) -> None:
        page = self.get_json("/v1/me/cases", "GET /v1/me/cases")
        if page and page["items"]:
            case = random.choice(page["items"])
            self.get_json(f"/v1/cases/{case['id']}", "GET /v1/cases/{id}")

    def read_inbox(self) -> None:
        self.get_json("/v1/me/notifications", "GET /v1/me/notifications")
        self.post_json("/v1/me/notifications/read-all", "POST /v1/me/notifications/read-all", None, expect=(200, 204))

    def file_complaint(self) -> None:
        latitude, longitude = self.where()
        self.file_at(latitude, longitude, with_photo=True)

    def file_at(self, latitude: float, longitude: float, *, with_photo: bool) -> None:
        self.get_json("/v1/complaints/categories", "GET /v1/complaints/categories")
        self.get_json(f"/v1/complaints/nearby?lat={latitude:.5f}&lon={longitude:.5f}", "GET /v1/complaints/nearby")
        photos = [self.upload_photo()] if with_photo else []
        draft = {
            "category": "street_lights",
            "description": "Lampu jalan mati di depan sekolah sejak tiga hari.",
            "latitude": latitude,
            "longitude": longitude,
            "photo_upload_ids": [photo for photo in photos if photo],
        }
        self.post_json("/v1/complaints", "POST /v1/complaints", draft, headers={"Idempotency-Key": uuid.uuid4().hex})

    def upload_photo(self) -> str | None:
        started = self.post_json(
            "/v1/uploads",
            "POST /v1/uploads",
            {"purpose": "complaint_photo", "content_type": "image/jpeg", "size": len(_PHOTO)},
        )
        if not started:
            return None
        form = started["upload"]
        with self.client.request(
            form["method"],
            form["url"],
            name="PUT /v1/storage/{key}",
            data=cast(Any, _PHOTO),  # bytes are sent as they are (the stubs say str)
            headers=form["headers"],
            catch_response=True,
        ) as sent:
            if sent.status_code >= 300:
                sent.failure(f"{sent.status_code}: {(sent.text or '')[:200]}")
                return None
        return started["id"] if self.complete_upload(started["id"]) else None

    def complete_upload(self, upload_id: str) -> bool:
        """As the app does: when the checks are busy (503 with Retry-After), wait as told and
        complete again, up to COMPLETION_TRIES times. A busy answer is reported under a name of
        its own (the service meant it: not a failure, and not a completion's latency)."""
        path = f"/v1/uploads/{upload_id}/complete"
        for _ in range(COMPLETION_TRIES):
            with self.client.post(
                path, name="POST /v1/uploads/{id}/complete", headers=self.auth(None), catch_response=True
            ) as answer:
                if answer.status_code == 200:
                    answer.success()
                    return True
                if answer.status_code != 503 or "retry-after" not in answer.headers:
                    answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                    return False
                answer.request_meta["name"] = BUSY_COMPLETION
                answer.success()
                wait = float(answer.headers["retry-after"])
            time.sleep(wait)  # Locust has patched time.sleep to yield to the other users (gevent)
        return False

    def support_nearby(self) -> None:
        latitude, longitude = self.where()
        found = self.get_json(
            f"/v1/complaints/nearby?lat={latitude:.5f}&lon={longitude:.5f}&radius=2000", "GET /v1/complaints/nearby"
        )
        if found and found["items"]:
            case = random.choice(found["items"])
            # 409: the resident's own report (the seeded ones are spread over the residents).
            self.post_json(
                f"/v1/complaints/{case['case_id']}/support",
                "POST /v1/complaints/{id}/support",
                None,
                expect=(200, 201, 409),
            )

    def book_appointment(self) -> None:
        self.book(cancel=False)

    def book_and_cancel(self) -> None:
        self.book(cancel=True)

    def book(self, *, cancel: bool) -> None:
        booking = _PLAN["booking"]
        first = date.today() + timedelta(days=1)
        slots = self.get_json(
            f"/v1/appointments/slots?service={booking['service']}&place={booking['place']}"
            f"&from={first.isoformat()}&to={(first + timedelta(days=13)).isoformat()}",
            "GET /v1/appointments/slots",
        )
        free = [slot for slot in (slots or {}).get("items", []) if slot["bookable"] and slot["remaining"] > 0]
        if not free:
            return
        made = self.post_json(
            "/v1/appointments",
            "POST /v1/appointments",
            {
                "service_code": booking["service"],
                "place_code": booking["place"],
                "starts_at": random.choice(free)["starts_at"],
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if made and cancel:
            self.post_json(f"/v1/appointments/{made['id']}/cancel", "POST /v1/appointments/{id}/cancel", None)
        self.next_account()  # one active booking per service: the next resident books next

    def apply_permit(self) -> None:
        types = self.get_json("/v1/permits/types", "GET /v1/permits/types")
        if types and types["items"]:
            self.post_json(
                "/v1/permits/applications",
                "POST /v1/permits/applications",
                {"type_code": random.choice(types["items"])["code"]},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )

    def rate_case(self) -> None:
        page = self.get_json("/v1/me/cases", "GET /v1/me/cases")
        rateable = [
            case for case in (page or {}).get("items", []) if case["phase"] == "completed" and case["rating"] is None
        ]
        if rateable:
            survey = {element: random.randint(3, 4) for element in _PLAN["survey_elements"]}
            self.post_json(
                f"/v1/cases/{rateable[0]['id']}/rating",
                "POST /v1/cases/{id}/rating",
                {"stars": random.randint(3, 5), "survey": survey},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            self.next_account()

    @task
    def visit(self) -> None:
        self.refresh_when_due()
        getattr(self, random.choices(_RESIDENT_JOURNEYS, weights=_RESIDENT_WEIGHTS)[0])()


class SurgeResident(Resident):
    """The surge: residents near one place filing, most with a photo, only during the surge's
    window (BENCH_TRAFFIC_PLAN's surge_start and surge_seconds after the start)."""

    accounts = _SURGE_ACCOUNTS

    @task
    def visit(self) -> None:
        surge = _PLAN["surge"]
        elapsed = time.monotonic() - _STARTED
        if not surge["start"] <= elapsed < surge["start"] + surge["seconds"]:
            return
        self.refresh_when_due()
        latitude, longitude = surge["point"]
        # Within a few hundred metres of the place: the flood, the collapsed road.
        latitude += random.uniform(-0.003, 0.003)
        longitude += random.uniform(-0.003, 0.003)
        self.file_at(latitude, longitude, with_photo=random.random() < model.SURGE_PHOTO_SHARE)


class Officer(_SignedIn):
    """An officer of an agency working the inbox: open a case, move it one step on."""

    weight = 0
    wait_time = constant_throughput(1 / model.OFFICER_VISIT_SECONDS)

    def on_start(self) -> None:
        self.access_token = next(_OFFICERS)["access_token"]

    @task
    def work_inbox(self) -> None:
        inbox = self.get_json("/v1/staff/cases?limit=20", "GET /v1/staff/cases")
        workable = [case for case in (inbox or {}).get("items", []) if case.get("status") in NEXT_STEP]
        if not workable:
            return
        case_id = random.choice(workable)["id"]
        with self.client.get(
            f"/v1/cases/{case_id}", name="GET /v1/cases/{id}", headers=self.auth(), catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return
            status, etag = answer.json()["status"], answer.headers.get("ETag", "")
        if status not in NEXT_STEP:
            return
        action, note = NEXT_STEP[status]
        # 409/412: another officer moved the same case first, as happens in an office.
        self.post_json(
            f"/v1/cases/{case_id}/actions/{action}",
            "POST /v1/cases/{id}/actions/{action}",
            {"note": note} if note else {},
            expect=(200, 409, 412),
            headers={"If-Match": etag},
        )


class Admin(_SignedIn):
    """The admin's dashboard: the year's statistics by agency."""

    weight = 0
    wait_time = constant_throughput(1 / model.ADMIN_VISIT_SECONDS)

    def on_start(self) -> None:
        self.access_token = _PLAN["admin"]["access_token"]

    @task
    def statistics(self) -> None:
        year = date.today().year
        self.get_json(f"/v1/admin/stats?from={year}-01&to={year}-12&group_by=opd", "GET /v1/admin/stats")


def _counts(parser: Any) -> None:
    """The users come from the plan, not from Locust's weights."""
    Resident.fixed_count = _PLAN["population"]["residents"]
    SurgeResident.fixed_count = _PLAN["population"]["surge_residents"]
    Officer.fixed_count = _PLAN["population"]["officers"]
    Admin.fixed_count = _PLAN["population"]["admins"]


events.init_command_line_parser.add_listener(_counts)  # type: ignore[no-untyped-call]
