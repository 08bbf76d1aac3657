"""iCalendar files: one master class, and a student's personal feed (RFC 5545, icalendar).

Master classes are stored as UTC instants plus the IANA zone they were announced in; the
events are written in that zone (``DTSTART;TZID=Europe/Madrid``) with a generated
``VTIMEZONE``, so a calendar shows the organiser's zone and still converts correctly for
every attendee, on both sides of a daylight-saving change. Course dates are all-day events.

UIDs are derived from the site's host and the slug, so re-downloading an event updates the
copy in the user's calendar instead of adding a second one; bump ``sequence`` when its time
changes. Inputs are duck-typed: ``site_builder.manifest.ManifestMasterclass`` and
``ManifestCourse`` work, and so does any object with the same attributes.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration

logger = logging.getLogger(__name__)

PRODID = "-//static-lms//master classes and courses//EN"
#: How often a calendar app should re-read the personal feed (RFC 7986 REFRESH-INTERVAL).
FEED_REFRESH = dt.timedelta(hours=6)


class MasterclassLike(Protocol):
    slug: str
    title: str
    summary: str
    start: dt.datetime  # aware (UTC in the manifest)
    end: dt.datetime
    timezone: str  # IANA name


class CourseLike(Protocol):
    slug: str
    title: str
    summary: str
    start_date: dt.date | None
    end_date: dt.date | None


def event_uid(kind: str, slug: str, site_url: str) -> str:
    """``<kind>-<slug>@<site host>``: stable across downloads, unique across schools."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"{kind}-{slug}@{host}"


def page_url(site_url: str, folder: str, slug: str) -> str:
    return f"{site_url.rstrip('/')}/{folder}/{slug}/"


def masterclass_event(
    masterclass: MasterclassLike,
    *,
    site_url: str,
    url: str | None = None,
    location: str | None = None,
    description: str | None = None,
    sequence: int = 0,
    stamp: dt.datetime | None = None,
) -> Event:
    """The VEVENT of a master class, in its own time zone.

    ``url`` defaults to its static page; ``description`` to its summary plus that URL.
    ``location`` is left out unless given: the join link is private, so only the API,
    for a registered user, should decide to put it there.
    """
    zone = zoneinfo.ZoneInfo(masterclass.timezone)
    start = _aware_utc(masterclass.start).astimezone(zone)
    end = _aware_utc(masterclass.end).astimezone(zone)
    if end <= start:
        raise ValueError(f"master class {masterclass.slug!r} ends before it starts")
    link = url or page_url(site_url, "masterclasses", masterclass.slug)
    event = Event.new(
        uid=event_uid("masterclass", masterclass.slug, site_url),
        summary=masterclass.title,
        description=description if description is not None else f"{masterclass.summary}\n\n{link}",
        start=start,
        end=end,
        url=link,
        location=location or None,
        sequence=sequence,
        stamp=_aware_utc(stamp or dt.datetime.now(dt.UTC)),
    )
    return event


def masterclass_calendar(
    masterclass: MasterclassLike,
    *,
    site_url: str,
    url: str | None = None,
    location: str | None = None,
    description: str | None = None,
    sequence: int = 0,
    stamp: dt.datetime | None = None,
    method: str | None = "PUBLISH",
) -> bytes:
    """A complete ``.ics`` file holding one master class (download, email attachment)."""
    event = masterclass_event(
        masterclass,
        site_url=site_url,
        url=url,
        location=location,
        description=description,
        sequence=sequence,
        stamp=stamp,
    )
    calendar = _calendar([event], uid=str(event["UID"]), method=method)
    return calendar.to_ical()


def course_event(
    course: CourseLike,
    *,
    site_url: str,
    url: str | None = None,
    sequence: int = 0,
    stamp: dt.datetime | None = None,
) -> Event | None:
    """An all-day event from the course's start to its end date; None without dates.

    A course with only one of the dates gets a one-day event on that date.
    """
    first = course.start_date or course.end_date
    last = course.end_date or course.start_date
    if first is None or last is None:
        return None
    link = url or page_url(site_url, "courses", course.slug)
    return Event.new(
        uid=event_uid("course", course.slug, site_url),
        summary=course.title,
        description=f"{course.summary}\n\n{link}",
        start=first,
        end=last + dt.timedelta(days=1),  # DTEND of an all-day event is exclusive
        url=link,
        sequence=sequence,
        stamp=_aware_utc(stamp or dt.datetime.now(dt.UTC)),
    )


def personal_feed(
    events: Iterable[Event],
    *,
    name: str,
    uid: str | None = None,
    description: str | None = None,
    refresh: dt.timedelta = FEED_REFRESH,
) -> bytes:
    """A subscribable calendar of ``events`` (from :func:`masterclass_event` and
    :func:`course_event`), named ``name`` in calendar apps (NAME and X-WR-CALNAME).

    ``uid`` should be stable per user (not the secret token): it defaults to one derived
    from ``name``.
    """
    items = [event for event in events if event is not None]
    calendar = _calendar(
        items,
        uid=uid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"lms-feed:{name}")),
        method="PUBLISH",
        name=name,
        description=description,
        refresh=refresh,
    )
    return calendar.to_ical()


def _calendar(
    events: Sequence[Event],
    *,
    uid: str,
    method: str | None,
    name: str | None = None,
    description: str | None = None,
    refresh: dt.timedelta | None = None,
) -> Calendar:
    calendar = Calendar.new(
        prodid=PRODID,
        uid=uid,
        method=method,
        name=name,
        description=description,
        refresh_interval=refresh,
        subcomponents=events,
    )
    if refresh is not None:
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
        # Older clients (Outlook, Google) read the pre-RFC 7986 spelling only.
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    first, last = _span(events)
    # VTIMEZONE rules only for the years the events need, not 1970-2038 for every zone.
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def _span(events: Sequence[Event]) -> tuple[dt.date, dt.date]:
    """From a year before the first event to a year after the last one."""
    days = [
        moment.date() if isinstance(moment, dt.datetime) else moment
        for event in events
        for moment in (event.start, event.end)
    ]
    if not days:
        today = dt.datetime.now(dt.UTC).date()
        return today, today
    return min(days) - dt.timedelta(days=366), max(days) + dt.timedelta(days=366)


def _aware_utc(moment: dt.datetime) -> dt.datetime:
    """A naive datetime here is UTC (the manifest's convention)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
