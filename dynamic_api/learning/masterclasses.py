"""Master classes: registration with race-safe capacity, cancellation, the join window, and
the secret token of each user's personal calendar feed.

- Only published master classes exist for students (drafts are 404 except for their
  instructors, moderators and admins).
- Registering takes a seat of a master class with a ``capacity`` (the same conditional
  ``UPDATE`` on a counter row as course enrollment), so parallel registrations never
  over-fill it (409 ``masterclass_full``); registering twice changes nothing; cancelling
  frees the seat. Registration closes when the session ends (409 ``masterclass_ended``).
- Paid master classes are registered by checkout: :func:`register` with the order id as
  ``source`` (the route itself refuses them, 403 ``payment_required``), and cancelled by a
  refund with :func:`cancel`.
- The join link is given to registered users (and the session's staff) from
  ``LMS_MASTERCLASS_JOIN_MINUTES`` before the start until the end; after the end, the
  recording link when there is one. It is never in the static site, the public ``.ics``,
  the personal feed or the confirmation email: those point at the master class's page.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from dataclasses import dataclass
from email.message import EmailMessage

from babel.dates import format_date, format_time
from sqlmodel import Session, col, select

from dynamic_api.auth import CurrentUser
from dynamic_api.calendars import masterclass_calendar, page_url
from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog
from dynamic_api.learning.enrollment import release_seat, seat_key, seats_taken, take_seat
from dynamic_api.mail.compose import compose, language_of
from dynamic_api.models import CalendarFeed, MasterclassRegistration, Role
from dynamic_api.upsert import insert_or_ignore
from site_builder.manifest import ManifestMasterclass
from site_builder.settings import Settings

ACTIVE, CANCELLED = "active", "cancelled"

#: Phases of a master class, as the API reports them.
UPCOMING, OPEN, LIVE, ENDED = "upcoming", "open", "live", "ended"

#: Personal feed tokens: 32 random bytes, URL-safe (43 characters).
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

PLATFORMS = {
    "zoom": "Zoom",
    "meet": "Google Meet",
    "jitsi": "Jitsi Meet",
    "teams": "Microsoft Teams",
}


def is_staff(user: CurrentUser | None, masterclass: ManifestMasterclass) -> bool:
    """Admins, moderators and the master class's own instructors."""
    if user is None:
        return False
    if user.has_role(Role.ADMIN, Role.MODERATOR):
        return True
    return (
        user.has_role(Role.INSTRUCTOR)
        and user.instructor_slug is not None
        and user.instructor_slug in masterclass.instructors
    )


def visible(catalog: Catalog | None, slug: str, user: CurrentUser | None) -> ManifestMasterclass:
    """The master class, or 404 (unknown, or a draft the caller may not see)."""
    masterclass = catalog.masterclasses.get(slug) if catalog is not None else None
    if masterclass is None or (
        masterclass.status != "published" and not is_staff(user, masterclass)
    ):
        raise ApiError(404, "not_found", "There is no master class with this name.")
    return masterclass


def published(catalog: Catalog | None) -> list[ManifestMasterclass]:
    """Published master classes by start time."""
    if catalog is None:
        return []
    found = [m for m in catalog.manifest.masterclasses if m.status == "published"]
    return sorted(found, key=lambda m: (m.start, m.slug))


@dataclass(frozen=True)
class Window:
    """When a master class's join link is given out."""

    opens_at: dt.datetime
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of(cls, masterclass: ManifestMasterclass, join_minutes: int) -> Window:
        start, end = _aware(masterclass.start), _aware(masterclass.end)
        return cls(start - dt.timedelta(minutes=join_minutes), start, end)

    def phase(self, now: dt.datetime | None = None) -> str:
        """``upcoming`` (before the join window), ``open`` (joinable, not started yet),
        ``live`` (started) or ``ended``."""
        now = now or utcnow()
        if now >= self.end:
            return ENDED
        if now >= self.start:
            return LIVE
        return OPEN if now >= self.opens_at else UPCOMING


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def seats_left(session: Session, masterclass: ManifestMasterclass) -> int | None:
    if masterclass.capacity is None:
        return None
    taken = seats_taken(session, seat_key("masterclass", masterclass.slug))
    return max(masterclass.capacity - taken, 0)


def registration_of(
    session: Session, user_id: int, slug: str, *, lock: bool = False
) -> MasterclassRegistration | None:
    query = select(MasterclassRegistration).where(
        col(MasterclassRegistration.user_id) == user_id,
        col(MasterclassRegistration.masterclass) == slug,
    )
    return session.exec(query.with_for_update() if lock else query).first()


def is_registered(session: Session, user_id: int, slug: str) -> bool:
    registration = registration_of(session, user_id, slug)
    return registration is not None and registration.status == ACTIVE


def registered_slugs(session: Session, user_id: int) -> set[str]:
    """The master classes ``user_id`` is registered for (active registrations)."""
    return set(
        session.exec(
            select(MasterclassRegistration.masterclass).where(
                col(MasterclassRegistration.user_id) == user_id,
                col(MasterclassRegistration.status) == ACTIVE,
            )
        ).all()
    )


def register(
    session: Session, user_id: int, masterclass: ManifestMasterclass, source: str = ""
) -> tuple[MasterclassRegistration, bool]:
    """Register ``user_id``; returns the registration and whether it changed (False when
    already registered). Takes a seat when the master class has a capacity.

    Raises 409 ``masterclass_ended`` once it is over and 409 ``masterclass_full`` when every
    seat is taken. For checkout: call it in the capture's transaction with the order id as
    ``source``; on ``masterclass_full`` refund instead.
    """
    if utcnow() >= _aware(masterclass.end):
        raise ApiError(409, "masterclass_ended", "This master class is over.")
    insert_or_ignore(
        session,
        MasterclassRegistration,
        user_id=user_id,
        masterclass=masterclass.slug,
        status=CANCELLED,  # activated below, with its seat
        source=source,
    )
    registration = registration_of(session, user_id, masterclass.slug, lock=True)
    assert registration is not None
    if registration.status == ACTIVE:
        return registration, False
    if masterclass.capacity is not None:
        if not take_seat(session, seat_key("masterclass", masterclass.slug), masterclass.capacity):
            raise ApiError(
                409, "masterclass_full", "This master class is full: every seat is taken."
            )
    registration.status = ACTIVE
    registration.source = source
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()
    return registration, True


def cancel(session: Session, user_id: int, masterclass: ManifestMasterclass) -> None:
    """End a registration and give its seat back (404 ``not_registered`` without one).
    The route refuses paid registrations (a refund ends them, through this function)."""
    registration = registration_of(session, user_id, masterclass.slug, lock=True)
    if registration is None or registration.status != ACTIVE:
        raise ApiError(404, "not_registered", "You are not registered for this master class.")
    if masterclass.capacity is not None:
        release_seat(session, seat_key("masterclass", masterclass.slug))
    registration.status = CANCELLED
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()


# --- personal calendar feeds -------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(value: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(value))


def feed_of(session: Session, user_id: int) -> CalendarFeed:
    """The user's feed, created with a new token on first use (race-free)."""
    insert_or_ignore(session, CalendarFeed, user_id=user_id, token=new_token())
    feed = session.get(CalendarFeed, user_id)
    assert feed is not None
    return feed


def regenerate_feed(session: Session, user_id: int) -> CalendarFeed:
    """Replace the token: the old feed URL stops working at once."""
    feed = feed_of(session, user_id)
    feed.token = new_token()
    feed.created_at = utcnow()
    session.add(feed)
    session.flush()
    return feed


def feed_owner(session: Session, token: str) -> int | None:
    if not is_token(token):
        return None
    return session.exec(
        select(CalendarFeed.user_id).where(col(CalendarFeed.token) == token)
    ).first()


# --- the confirmation email ----------------------------------------------------------------


DASH = "\u2013"  # between the start and end times


def when_text(masterclass: ManifestMasterclass, language: str) -> str:
    """The date and times in the master class's own time zone and the reader's language:
    "Wednesday, January 20, 2027, 6:00 PM - 7:30 PM (America/Mexico_City)"."""
    zone = zoneinfo.ZoneInfo(masterclass.timezone)
    start = _aware(masterclass.start).astimezone(zone)
    end = _aware(masterclass.end).astimezone(zone)

    def moment(value: dt.datetime, with_date: bool) -> str:
        time = format_time(value, "short", locale=language)
        return f"{format_date(value, 'full', locale=language)}, {time}" if with_date else time

    span = f"{moment(start, True)} {DASH} {moment(end, end.date() != start.date())}"
    return f"{span} ({masterclass.timezone})"


def confirmation_email(
    settings: Settings, *, to: str, name: str, language: str, masterclass: ManifestMasterclass
) -> EmailMessage:
    """ "You are registered", with the event as an ``.ics`` attachment (no join link: it is
    given on the master class's page when the join window opens). Send it after the
    registration's transaction commits (checkout does the same for paid ones)."""
    language = language_of(language)
    url = page_url(settings.site_url, "masterclasses", masterclass.slug)
    message = compose(
        settings,
        template="masterclass_registration",
        to=to,
        name=name,
        language=language,
        title=masterclass.title,
        when=when_text(masterclass, language),
        platform=PLATFORMS.get(masterclass.platform, masterclass.platform.capitalize()),
        minutes=settings.masterclass_join_minutes,
        url=url,
    )
    ics = masterclass_calendar(masterclass, site_url=settings.site_url, url=url)
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename=f"{masterclass.slug}.ics"
    )
    return message
