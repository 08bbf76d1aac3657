"""Master classes and calendars through the API, on every database: listing without join
links, registration (race-safe capacity, paid ones refused, confirmation email with an ICS
attachment), cancellation, the join window, the public `.ics` across a DST change, and the
personal calendar feed.

The fixture's master class `live-qa`: 2031-03-10 18:00-19:30 America/Mexico_City, 50 seats,
free, with marker strings as its join and recording links.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from api_support import Outbox
from learning_support import MEMBERS, Publisher, course_of
from starlette.testclient import TestClient

from site_builder.manifest import Manifest

pytestmark = pytest.mark.all_databases

SLUG = "live-qa"
PATH = f"/api/masterclasses/{SLUG}"
JOIN_MARKER = "JOIN-LINK-MARKER-e2a7"
RECORDING_MARKER = "RECORDING-MARKER-0c4d"


def masterclass_of(manifest: dict[str, Any], slug: str = SLUG) -> dict[str, Any]:
    return next(m for m in manifest["masterclasses"] if m["slug"] == slug)


def change(**values: Any) -> Callable[[dict[str, Any]], None]:
    """Edit the fixture master class (datetimes become the manifest's ISO strings)."""

    def mutate(manifest: dict[str, Any]) -> None:
        for key, value in values.items():
            if isinstance(value, dt.datetime):
                value = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            masterclass_of(manifest)[key] = value

    return mutate


def starting_in(minutes: float, length: float = 60) -> Callable[[dict[str, Any]], None]:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return change(start=start, end=start + dt.timedelta(minutes=length))


def register(client: TestClient, slug: str = SLUG) -> Any:
    return client.post(f"/api/masterclasses/{slug}/register", json={})


def no_links(text: str) -> None:
    assert JOIN_MARKER not in text
    assert RECORDING_MARKER not in text


def test_list_and_detail_without_join_links(
    db_backend: str, catalog: Publisher, client: TestClient, student: TestClient
) -> None:
    response = client.get("/api/masterclasses")
    assert response.status_code == 200
    no_links(response.text)
    body = response.json()
    assert body["past"] == []
    [item] = body["upcoming"]
    assert item["slug"] == SLUG
    assert item["registered"] is None
    assert item["phase"] == "upcoming"
    assert item["start"].startswith("2031-03-11T00:00:00")
    assert item["timezone"] == "America/Mexico_City"
    assert item["capacity"] == 50
    assert item["seats_left"] == 50
    assert item["free"] is True
    assert item["has_recording"] is True
    assert item["instructors"] == [{"slug": "tess-tester", "name": "Tess Tester"}]
    assert item["page_url"].endswith(f"/masterclasses/{SLUG}/")
    assert item["ics_url"].endswith(f"/api/masterclasses/{SLUG}.ics")
    assert item["join_opens_at"].startswith("2031-03-10T23:45:00")
    signed_in = student.get("/api/masterclasses")
    no_links(signed_in.text)
    assert signed_in.json()["upcoming"][0]["registered"] is False
    detail = student.get(PATH)
    assert detail.status_code == 200
    no_links(detail.text)
    assert detail.json()["registered"] is False
    assert client.get("/api/masterclasses/nope").status_code == 404


def test_register_emails_a_confirmation_with_the_event(
    db_backend: str, catalog: Publisher, student: TestClient, outbox: Outbox
) -> None:
    response = register(student)
    assert response.status_code == 201, response.text
    no_links(response.text)
    assert response.json()["registered"] is True
    assert response.json()["seats_left"] == 49
    message = outbox.last("student@example.com")
    assert message["Subject"] == "Your master class registration"
    text = str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "Live questions and answers" in text
    assert "Monday, March 10, 2031, 6:00" in text
    assert "(America/Mexico_City)" in text
    assert "15 minutes before the start" in text
    assert f"/masterclasses/{SLUG}/" in text
    no_links(message.as_string())
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"{SLUG}.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2031, 3, 11, 0, 0, tzinfo=dt.UTC)
    assert str(event["dtstart"].params["TZID"]) == "America/Mexico_City"

    again = register(student)
    assert again.status_code == 200
    assert len(outbox.messages("student@example.com")) == 1
    assert student.get(PATH).json()["registered"] is True
    assert student.get("/api/masterclasses").json()["upcoming"][0]["registered"] is True


def test_spanish_confirmation(
    db_backend: str, catalog: Publisher, client: TestClient, make_user: Any, outbox: Outbox
) -> None:
    from api_support import PASSWORD, companion

    make_user("ana@example.com", name="Ana", language="es")
    other = companion(client)
    other.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert register(other).status_code == 201
    message = outbox.last("ana@example.com")
    assert message["Subject"] == "Tu inscripción a la clase magistral"
    text = str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "lunes, 10 de marzo de 2031" in text
    other.close()


def test_paid_drafts_and_ended_master_classes_refuse_registration(
    db_backend: str, publish: Publisher, student: TestClient, client: TestClient
) -> None:
    assert register(client).status_code == 401
    publish(change(price={"amount": "15.00", "currency": "USD"}))
    paid = register(student)
    assert paid.status_code == 403
    assert paid.json()["error"]["code"] == "payment_required"
    assert client.get(PATH).json()["price"] == {"amount": "15.00", "currency": "USD"}
    publish(change(status="draft"))
    assert register(student).status_code == 404
    assert client.get("/api/masterclasses").json()["upcoming"] == []
    publish(starting_in(-120))
    ended = register(student)
    assert ended.status_code == 409
    assert ended.json()["error"]["code"] == "masterclass_ended"
    listing = client.get("/api/masterclasses").json()
    assert [m["slug"] for m in listing["past"]] == [SLUG]
    assert listing["past"][0]["phase"] == "ended"
    assert listing["past"][0]["registration_open"] is False


def test_cancel_frees_the_seat(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient]
) -> None:
    publish(change(capacity=1))
    first, second = login_as(), login_as()
    assert register(first).status_code == 201
    full = register(second)
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "masterclass_full"
    assert second.get(PATH).json()["registration_open"] is False
    assert first.delete(PATH + "/registration").status_code == 204
    missing = first.delete(PATH + "/registration")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_registered"
    assert first.get(PATH).json()["registered"] is False
    assert register(second).status_code == 201
    assert second.get(PATH).json()["seats_left"] == 0


def test_ten_parallel_registrations_for_three_seats(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient]
) -> None:
    publish(change(capacity=3))
    students = [login_as() for _ in range(10)]
    barrier = threading.Barrier(len(students))
    codes: list[int] = []

    def hit(client: TestClient) -> None:
        barrier.wait()
        codes.append(register(client).status_code)

    threads = [threading.Thread(target=hit, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] * 3 + [409] * 7
    assert sum(bool(s.get(PATH).json()["registered"]) for s in students) == 3
    assert students[0].get(PATH).json()["seats_left"] == 0


def test_join_link_only_for_registered_users_in_the_window(
    db_backend: str,
    publish: Publisher,
    client: TestClient,
    student: TestClient,
    login_as: Callable[..., TestClient],
) -> None:
    publish()
    assert client.get(PATH + "/join").status_code == 401
    stranger = login_as()
    refused = stranger.get(PATH + "/join")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_registered"
    no_links(refused.text)
    assert register(student).status_code == 201
    early = student.get(PATH + "/join")
    assert early.status_code == 403
    assert early.json()["error"]["code"] == "join_not_open"
    no_links(early.text)

    publish(starting_in(10))  # inside the 15-minute window
    opened = student.get(PATH + "/join")
    assert opened.status_code == 200, opened.text
    assert opened.headers["cache-control"] == "private, no-store"
    assert opened.json()["phase"] == "open"
    assert opened.json()["join_url"] == f"https://meet.example.org/{JOIN_MARKER}"
    assert opened.json()["recording_url"] is None
    assert student.get(PATH).json()["phase"] == "open"
    no_links(student.get(PATH).text)
    no_links(student.get("/api/masterclasses").text)
    assert stranger.get(PATH + "/join").status_code == 403
    assert login_as("admin").get(PATH + "/join").json()["join_url"].endswith(JOIN_MARKER)

    publish(starting_in(-30))
    live = student.get(PATH + "/join").json()
    assert (live["phase"], live["join_url"] is not None) == ("live", True)
    publish(starting_in(-120))
    ended = student.get(PATH + "/join").json()
    assert ended["phase"] == "ended"
    assert ended["join_url"] is None
    assert ended["recording_url"] == f"https://video.example.org/{RECORDING_MARKER}"
    cancel = student.delete(PATH + "/registration")
    assert cancel.status_code == 409
    assert cancel.json()["error"]["code"] == "masterclass_ended"


def test_join_window_follows_the_setting(
    db_backend: str, publish: Publisher, app: Any, student: TestClient
) -> None:
    publish(starting_in(50))
    register(student)
    assert student.get(PATH + "/join").status_code == 403
    app.state.settings = app.state.settings.model_copy(update={"masterclass_join_minutes": 60})
    assert student.get(PATH + "/join").status_code == 200


def test_public_ics_round_trips_across_a_dst_change(
    db_backend: str, publish: Publisher, client: TestClient
) -> None:
    # Madrid moves to summer time on Sunday 30 March 2031: 18:00 on the 31st is 16:00 UTC.
    start = dt.datetime(2031, 3, 31, 16, 0, tzinfo=dt.UTC)
    publish(change(timezone="Europe/Madrid", start=start, end=start + dt.timedelta(hours=2)))
    response = client.get(f"/api/masterclasses/{SLUG}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}.ics"'
    no_links(response.text)
    assert "DTSTART;TZID=Europe/Madrid:20310331T180000" in response.text
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart").astimezone(dt.UTC) == start
    assert event.decoded("dtend").astimezone(dt.UTC) == start + dt.timedelta(hours=2)
    [zone] = calendar.walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # The same instant before the change is 17:00 UTC: still 18:00 in Madrid.
    winter = dt.datetime(2031, 3, 28, 17, 0, tzinfo=dt.UTC)
    publish(change(timezone="Europe/Madrid", start=winter, end=winter + dt.timedelta(hours=2)))
    assert (
        "DTSTART;TZID=Europe/Madrid:20310328T180000"
        in client.get(f"/api/masterclasses/{SLUG}.ics").text
    )
    assert client.get("/api/masterclasses/nope.ics").status_code == 404


def test_personal_calendar_feed(
    db_backend: str, publish: Publisher, client: TestClient, student: TestClient
) -> None:
    def dated(manifest: dict[str, Any]) -> None:
        course_of(manifest, MEMBERS).update(start_date="2031-01-05", end_date="2031-02-01")

    publish(dated)
    assert client.get("/api/me/calendar").status_code == 401
    first = student.get("/api/me/calendar")
    assert first.status_code == 200, first.text
    feed = first.json()
    assert student.get("/api/me/calendar").json()["url"] == feed["url"]  # created once
    assert feed["url"].startswith("http")
    assert feed["url"].endswith(".ics")
    assert feed["webcal_url"].startswith("webcal://")
    path = feed["url"][feed["url"].index("/api/") :]

    empty = client.get(path)
    assert empty.status_code == 200
    assert empty.headers["content-type"] == "text/calendar; charset=utf-8"
    assert icalendar.Calendar.from_ical(empty.content).walk("VEVENT") == []

    register(student)
    student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    calendar = icalendar.Calendar.from_ical(client.get(path).content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    host = "127.0.0.1"
    assert set(events) == {f"masterclass-{SLUG}@{host}", f"course-{MEMBERS}@{host}"}
    assert events[f"course-{MEMBERS}@{host}"].decoded("dtstart") == dt.date(2031, 1, 5)
    no_links(client.get(path).text)

    regenerated = student.post("/api/me/calendar/regenerate", json={})
    assert regenerated.status_code == 200
    assert regenerated.json()["url"] != feed["url"]
    assert client.get(path).status_code == 404
    new_path = regenerated.json()["url"][regenerated.json()["url"].index("/api/") :]
    assert client.get(new_path).status_code == 200
    assert client.get("/api/calendar/not-a-token.ics").status_code == 404
    assert client.get("/api/calendar/" + "A" * 43 + ".ics").status_code == 404


def test_manifest_still_loads_without_site_name() -> None:
    """Bundles published before `site_name` existed still load (it defaults to empty)."""
    data = {
        "version": "x",
        "built_at": "2026-01-01T00:00:00Z",
        "site_url": "https://learn.example.org",
        "courses": [],
        "masterclasses": [],
        "programs": [],
        "instructors": [],
    }
    assert Manifest.model_validate(data).site_name == ""
