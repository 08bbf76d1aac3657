"""ICS files of master classes and the personal feed, parsed back with icalendar.

The instants are checked in UTC on both sides of a daylight-saving change: Europe/Madrid
moves to summer time on 2026-03-29 and America/New_York on 2026-03-08, so the same local
18:00 is a different UTC hour before and after.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import icalendar
import pytest

from dynamic_api.calendars import (
    course_event,
    masterclass_calendar,
    masterclass_event,
    personal_feed,
)
from site_builder.manifest import ManifestMasterclass

SITE = "https://learn.example.org"
STAMP = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
UTC = dt.UTC


@dataclass(frozen=True)
class Masterclass:
    slug: str
    title: str
    summary: str
    start: dt.datetime
    end: dt.datetime
    timezone: str


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    start_date: dt.date | None
    end_date: dt.date | None


def local(zone: str, *args: int) -> dt.datetime:
    """A wall-clock time in `zone`, as the UTC instant the manifest stores."""
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def at_six_pm(slug: str, zone: str, day: dt.date) -> Masterclass:
    return Masterclass(
        slug=slug,
        title=f"Live Q&A ({day.isoformat()})",
        summary="Preguntas y respuestas, en directo: ¿qué tal?",
        start=local(zone, day.year, day.month, day.day, 18),
        end=local(zone, day.year, day.month, day.day, 19, 30),
        timezone=zone,
    )


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


# Before and after each zone's spring-forward: 18:00 local is a different UTC hour.
DST_CASES = [
    ("Europe/Madrid", dt.date(2026, 3, 20), dt.datetime(2026, 3, 20, 17, tzinfo=UTC)),
    ("Europe/Madrid", dt.date(2026, 4, 2), dt.datetime(2026, 4, 2, 16, tzinfo=UTC)),
    ("America/New_York", dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 23, tzinfo=UTC)),
    ("America/New_York", dt.date(2026, 3, 12), dt.datetime(2026, 3, 12, 22, tzinfo=UTC)),
    ("America/New_York", dt.date(2026, 11, 5), dt.datetime(2026, 11, 5, 23, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "day", "utc_start"), DST_CASES)
def test_instants_are_right_across_dst(zone: str, day: dt.date, utc_start: dt.datetime) -> None:
    data = masterclass_calendar(at_six_pm("qa", zone, day), site_url=SITE, stamp=STAMP)
    [event] = parse(data).events
    assert event.start.astimezone(UTC) == utc_start
    assert event.end.astimezone(UTC) == utc_start + dt.timedelta(hours=1, minutes=30)
    # Written in the master class's own zone, as announced: 18:00 local.
    assert event["DTSTART"].params["TZID"] == zone
    assert event.start.hour == 18
    assert f"DTSTART;TZID={zone}:{day:%Y%m%d}T180000".encode() in data


def test_vtimezone_is_included_and_covers_both_sides_of_the_change() -> None:
    before = masterclass_event(
        at_six_pm("a", "Europe/Madrid", dt.date(2026, 3, 20)), site_url=SITE, stamp=STAMP
    )
    after = masterclass_event(
        at_six_pm("b", "Europe/Madrid", dt.date(2026, 4, 2)), site_url=SITE, stamp=STAMP
    )
    calendar = parse(personal_feed([before, after], name="Mis clases"))
    [timezone] = calendar.timezones
    assert timezone.tz_name == "Europe/Madrid"
    offsets = {sub["TZOFFSETTO"].td for sub in timezone.subcomponents}
    assert {dt.timedelta(hours=1), dt.timedelta(hours=2)} <= offsets
    # The VTIMEZONE alone (not the system's zoneinfo) yields the right UTC offsets.
    zone = timezone.to_tz()
    assert dt.datetime(2026, 3, 20, 18, tzinfo=zone).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2026, 4, 2, 18, tzinfo=zone).utcoffset() == dt.timedelta(hours=2)


def test_event_properties() -> None:
    masterclass = at_six_pm("pandas-live", "Europe/Madrid", dt.date(2026, 4, 2))
    data = masterclass_calendar(
        masterclass, site_url=SITE, stamp=STAMP, sequence=2, location="Online (Zoom)"
    )
    calendar = parse(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.events
    assert event["UID"] == "masterclass-pandas-live@learn.example.org"
    assert event["SUMMARY"] == masterclass.title
    assert event["URL"] == "https://learn.example.org/masterclasses/pandas-live/"
    assert masterclass.summary in event["DESCRIPTION"]
    assert event["LOCATION"] == "Online (Zoom)"
    assert event["SEQUENCE"] == 2
    assert event.DTSTAMP == STAMP


def test_location_is_left_out_unless_given() -> None:
    masterclass = at_six_pm("qa", "Europe/Madrid", dt.date(2026, 4, 2))
    [event] = parse(masterclass_calendar(masterclass, site_url=SITE, stamp=STAMP)).events
    assert "LOCATION" not in event


def test_uid_is_stable_and_output_is_deterministic() -> None:
    masterclass = at_six_pm("qa", "America/New_York", dt.date(2026, 3, 12))
    first = masterclass_calendar(masterclass, site_url=SITE, stamp=STAMP)
    again = masterclass_calendar(masterclass, site_url=SITE + "/", stamp=STAMP)
    assert first == again
    other_site = masterclass_calendar(masterclass, site_url="https://other.example", stamp=STAMP)
    assert parse(other_site).events[0]["UID"] != parse(first).events[0]["UID"]


def test_round_trip() -> None:
    events = [
        masterclass_event(at_six_pm(f"qa-{number}", zone, day), site_url=SITE, stamp=STAMP)
        for number, (zone, day, _) in enumerate(DST_CASES)
    ]
    data = personal_feed(events, name="Ana's calendar", uid="feed-42@learn.example.org")
    again = parse(data)
    assert again.to_ical() == data
    assert [event.start for event in again.events] == [event.start for event in events]
    assert {tz.tz_name for tz in again.timezones} == {"Europe/Madrid", "America/New_York"}


def test_personal_feed_has_a_name_and_both_kinds_of_events() -> None:
    masterclass = at_six_pm("qa", "America/New_York", dt.date(2026, 3, 12))
    course = Course(
        "python", "Python Foundations", "From scratch.", dt.date(2026, 5, 4), dt.date(2026, 6, 26)
    )
    data = personal_feed(
        [
            masterclass_event(masterclass, site_url=SITE, stamp=STAMP),
            course_event(course, site_url=SITE, stamp=STAMP),
            course_event(Course("undated", "Self-paced", "Any time.", None, None), site_url=SITE),
        ],
        name="María's classes",
        uid="feed-7@learn.example.org",
    )
    calendar = parse(data)
    assert calendar["X-WR-CALNAME"] == "María's classes"
    assert calendar["NAME"] == "María's classes"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["UID"] == "feed-7@learn.example.org"
    by_uid = {str(event["UID"]): event for event in calendar.events}
    assert set(by_uid) == {"masterclass-qa@learn.example.org", "course-python@learn.example.org"}
    course_vevent = by_uid["course-python@learn.example.org"]
    # All-day: DATE values, DTEND exclusive (the day after the last day).
    assert course_vevent["DTSTART"].params.get("VALUE") == "DATE"
    assert course_vevent.start == dt.date(2026, 5, 4)
    assert course_vevent.end == dt.date(2026, 6, 27)
    assert course_vevent["URL"] == "https://learn.example.org/courses/python/"


def test_course_with_only_a_start_date_is_a_one_day_event() -> None:
    event = course_event(Course("c", "C", "S", dt.date(2026, 9, 1), None), site_url=SITE)
    assert event is not None
    assert (event.start, event.end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 2))


def test_manifest_masterclass_is_accepted() -> None:
    masterclass = ManifestMasterclass(
        slug="live-pandas",
        title="Live pandas",
        summary="Bring your data.",
        status="published",
        instructors=["ada"],
        start=dt.datetime(2026, 10, 24, 16, tzinfo=UTC),  # the day before Madrid's fall-back
        end=dt.datetime(2026, 10, 24, 17, tzinfo=UTC),
        timezone="Europe/Madrid",
        capacity=30,
        price=None,
        platform="zoom",
        join_url="https://zoom.example/j/secret",
        recording_url=None,
    )
    data = masterclass_calendar(masterclass, site_url=SITE, stamp=STAMP)
    assert b"DTSTART;TZID=Europe/Madrid:20261024T180000" in data
    assert b"secret" not in data  # the join link stays private unless passed as location


def test_an_event_that_ends_before_it_starts_is_refused() -> None:
    start = dt.datetime(2026, 4, 2, 16, tzinfo=UTC)
    with pytest.raises(ValueError, match="ends before"):
        masterclass_event(Masterclass("x", "X", "S", start, start, "Europe/Madrid"), site_url=SITE)
