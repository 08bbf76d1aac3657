"""Master classes and calendars: listing, registration, the join link, ``.ics`` files.

| endpoint | who |
| --- | --- |
| ``GET /api/masterclasses``, ``GET /api/masterclasses/{m}`` | anyone (+ ``registered``) |
| ``GET /api/masterclasses/{m}.ics`` | anyone: the event, without the join link |
| ``POST /api/masterclasses/{m}/register`` | signed in; free master classes (paid: checkout) |
| ``DELETE /api/masterclasses/{m}/registration`` | registered (free registrations) |
| ``GET /api/masterclasses/{m}/join`` | registered, or its staff, in the join window |
| ``GET /api/me/calendar``, ``POST /api/me/calendar/regenerate`` | signed in |
| ``GET /api/calendar/{token}.ics`` | whoever has the secret URL |

The rules are in ``dynamic_api/learning/masterclasses.py``. The join and recording links
appear in no other answer than ``/join``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit, urlunsplit

from icalendar import Event
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api import calendars
from dynamic_api.auth import current_user, requires, signed_in_user
from dynamic_api.db import run_in_session, utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning import masterclasses as mc
from dynamic_api.learning.catalog import Catalog, request_catalog
from dynamic_api.learning.enrollment import active_enrollments
from dynamic_api.learning.views import Price
from dynamic_api.models import CalendarFeed, User
from dynamic_api.responses import json_response
from dynamic_api.routes.certificates import api_root
from site_builder.manifest import ManifestMasterclass
from site_builder.settings import Settings

logger = logging.getLogger(__name__)


class Host(BaseModel):
    slug: str
    name: str


class MasterclassView(BaseModel):
    """A master class as the pages show it; never its join or recording link."""

    slug: str
    title: str
    summary: str
    status: str = Field(description="`published`, or `draft` (seen by its staff only).")
    phase: str = Field(
        description="`upcoming`, `open` (the join link is given, not started yet), `live` "
        "or `ended`."
    )
    start: datetime
    end: datetime
    timezone: str = Field(description="The IANA zone it was announced in.")
    join_opens_at: datetime = Field(description="When registered users get the join link.")
    instructors: list[Host]
    platform: str
    capacity: int | None
    seats_left: int | None = Field(description="null without a capacity.")
    price: Price | None = Field(description="null for a free master class.")
    free: bool
    registration_open: bool = Field(description="Not ended and not full.")
    has_recording: bool
    registered: bool | None = Field(description="null when not signed in.")
    page_url: str
    ics_url: str


class MasterclassList(BaseModel):
    upcoming: list[MasterclassView] = Field(description="Not ended yet, soonest first.")
    past: list[MasterclassView] = Field(description="Ended, most recent first.")


class JoinInfo(BaseModel):
    slug: str
    phase: str = Field(description="`open`, `live` or `ended`.")
    platform: str
    join_url: str | None = Field(description="While `open` or `live`.")
    recording_url: str | None = Field(description="After the end, when there is one.")
    start: datetime
    end: datetime


class CalendarFeedView(BaseModel):
    url: str = Field(description="The secret feed URL (`https://…/api/calendar/<token>.ics`).")
    webcal_url: str = Field(description="The same as `webcal://`, which calendar apps open.")
    created_at: datetime


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _view(
    session: Session,
    settings: Settings,
    catalog: Catalog,
    masterclass: ManifestMasterclass,
    registered: bool | None,
) -> MasterclassView:
    window = mc.Window.of(masterclass, settings.masterclass_join_minutes)
    phase = window.phase()
    seats = mc.seats_left(session, masterclass)
    names = catalog.instructor_names
    return MasterclassView(
        slug=masterclass.slug,
        title=masterclass.title,
        summary=masterclass.summary,
        status=masterclass.status,
        phase=phase,
        start=window.start,
        end=window.end,
        timezone=masterclass.timezone,
        join_opens_at=window.opens_at,
        instructors=[Host(slug=s, name=names.get(s, s)) for s in masterclass.instructors],
        platform=masterclass.platform,
        capacity=masterclass.capacity,
        seats_left=seats,
        price=Price.of(masterclass.price),
        free=masterclass.price is None,
        registration_open=phase != mc.ENDED and seats != 0,
        has_recording=masterclass.recording_url is not None,
        registered=registered,
        page_url=calendars.page_url(settings.site_url, "masterclasses", masterclass.slug),
        ics_url=f"{api_root(settings)}/api/masterclasses/{masterclass.slug}.ics",
    )


async def list_masterclasses(request: Request) -> Response:
    """Upcoming and past master classes.

    ---
    summary: List master classes
    description: >-
      Published master classes: upcoming (soonest first) and past (most recent first), with
      seats left and, for a signed-in caller, whether they are registered. Never the join
      or recording links.
    operationId: listMasterclasses
    tags: [masterclasses]
    responses:
      "200":
        description: The master classes.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/MasterclassList"}
    """
    user = await current_user(request)
    store, settings = request_catalog(request), _settings(request)

    def load(session: Session) -> MasterclassList:
        catalog = store.current(session)
        if catalog is None:
            return MasterclassList(upcoming=[], past=[])
        mine = mc.registered_slugs(session, user.id) if user is not None else None
        views = [
            _view(session, settings, catalog, m, None if mine is None else m.slug in mine)
            for m in mc.published(catalog)
        ]
        return MasterclassList(
            upcoming=[v for v in views if v.phase != mc.ENDED],
            past=[v for v in reversed(views) if v.phase == mc.ENDED],
        )

    return json_response(await run_in_session(request, load))


async def get_masterclass(request: Request) -> Response:
    """One master class.

    ---
    summary: Get a master class
    description: >-
      The master class with its phase, seats left and, for a signed-in caller, whether they
      are registered: what its page's Register / Cancel / Join buttons need.
    operationId: getMasterclass
    tags: [masterclasses]
    parameters:
      - {name: masterclass, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The master class.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/MasterclassView"}
    """
    user = await current_user(request)
    slug = request.path_params["masterclass"]
    store, settings = request_catalog(request), _settings(request)

    def load(session: Session) -> MasterclassView:
        catalog = store.current(session)
        masterclass = mc.visible(catalog, slug, user)
        assert catalog is not None
        registered = mc.is_registered(session, user.id, slug) if user is not None else None
        return _view(session, settings, catalog, masterclass, registered)

    return json_response(await run_in_session(request, load))


@requires()
async def register(request: Request) -> Response:
    """Register for a free master class.

    ---
    summary: Register for a master class
    description: >-
      Takes a seat (409 `masterclass_full` when none is left) and emails a confirmation
      with the event as an `.ics` attachment. Registering again changes nothing (200).
      Paid master classes are bought through checkout (403 `payment_required`); a master
      class that has ended answers 409 `masterclass_ended`.
    operationId: registerMasterclass
    tags: [masterclasses]
    security: [{session: []}]
    parameters:
      - {name: masterclass, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: Already registered; the master class.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/MasterclassView"}
      "201":
        description: Registered; the master class.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/MasterclassView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    slug = request.path_params["masterclass"]
    store, settings = request_catalog(request), _settings(request)

    def write(session: Session) -> tuple[MasterclassView, EmailMessage | None]:
        catalog = store.current(session)
        masterclass = mc.visible(catalog, slug, user)
        assert catalog is not None
        if masterclass.status != "published":
            raise ApiError(409, "masterclass_not_published", "This master class is a draft.")
        if masterclass.price is not None:
            raise ApiError(
                403, "payment_required", "This is a paid master class: buy a seat to register."
            )
        _, changed = mc.register(session, user.id, masterclass)
        email = None
        if changed:
            account = session.get(User, user.id)
            assert account is not None
            email = mc.confirmation_email(
                settings,
                to=account.email,
                name=account.name,
                language=account.language,
                masterclass=masterclass,
            )
        return _view(session, settings, catalog, masterclass, True), email

    view, email = await run_in_session(request, write)
    if email is not None:  # after the commit: no confirmation of a registration not stored
        request.app.state.mailer.send(email)
    return json_response(view, 201 if email is not None else 200)


@requires()
async def cancel_registration(request: Request) -> Response:
    """Cancel a registration; the seat is freed.

    ---
    summary: Cancel a master-class registration
    description: >-
      Ends a free registration before the master class ends and frees its seat. 404
      `not_registered` without one; a paid registration ends through a refund (409
      `paid_registration`); 409 `masterclass_ended` afterwards.
    operationId: cancelMasterclassRegistration
    tags: [masterclasses]
    security: [{session: []}]
    parameters:
      - {name: masterclass, in: path, required: true, schema: {type: string}}
    responses:
      "204": {description: Cancelled.}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    slug = request.path_params["masterclass"]
    store = request_catalog(request)

    def write(session: Session) -> None:
        masterclass = mc.visible(store.current(session), slug, user)
        registration = mc.registration_of(session, user.id, slug)
        if registration is not None and registration.status == mc.ACTIVE:
            if registration.source:
                raise ApiError(
                    409,
                    "paid_registration",
                    "You bought this seat, so it cannot be cancelled here: ask for a refund.",
                )
            if utcnow() >= mc.Window.of(masterclass, 0).end:
                raise ApiError(409, "masterclass_ended", "This master class is over.")
        mc.cancel(session, user.id, masterclass)

    await run_in_session(request, write)
    return Response(status_code=204, headers={"Cache-Control": "private, no-store"})


@requires()
async def join(request: Request) -> Response:
    """The join link, for registered users, near the start.

    ---
    summary: Join a master class
    description: >-
      For registered users (and the master class's instructors, moderators and admins):
      the join link from `LMS_MASTERCLASS_JOIN_MINUTES` before the start until the end,
      then the recording link when there is one. 403 `not_registered`, or 403
      `join_not_open` before the window opens.
    operationId: joinMasterclass
    tags: [masterclasses]
    security: [{session: []}]
    parameters:
      - {name: masterclass, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The links the caller may have now.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/JoinInfo"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    user = await signed_in_user(request)
    slug = request.path_params["masterclass"]
    store, settings = request_catalog(request), _settings(request)

    def load(session: Session) -> JoinInfo:
        masterclass = mc.visible(store.current(session), slug, user)
        if not mc.is_staff(user, masterclass) and not mc.is_registered(session, user.id, slug):
            raise ApiError(403, "not_registered", "Register for this master class to get its link.")
        window = mc.Window.of(masterclass, settings.masterclass_join_minutes)
        phase = window.phase()
        if phase == mc.UPCOMING:
            opens = window.opens_at.strftime("%Y-%m-%d %H:%M UTC")
            raise ApiError(403, "join_not_open", f"The link to join is given from {opens}.")
        ended = phase == mc.ENDED
        return JoinInfo(
            slug=slug,
            phase=phase,
            platform=masterclass.platform,
            join_url=None if ended else masterclass.join_url,
            recording_url=masterclass.recording_url if ended else None,
            start=window.start,
            end=window.end,
        )

    return json_response(await run_in_session(request, load))


def _ics(data: bytes, filename: str, *, attachment: bool, cache: str) -> Response:
    disposition = "attachment" if attachment else "inline"
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": cache,
        },
    )


async def masterclass_ics(request: Request) -> Response:
    """A master class as an iCalendar file.

    ---
    summary: Download a master class's calendar event
    description: >-
      One VEVENT in the master class's own time zone (with its VTIMEZONE), its page as URL
      and description; no join link. The UID is stable, so downloading it again updates
      the copy in the calendar.
    operationId: getMasterclassIcs
    tags: [masterclasses, calendars]
    parameters:
      - {name: masterclass, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The `.ics` file.
        content:
          text/calendar:
            schema: {type: string}
    """
    slug = request.path_params["masterclass"]
    store, settings = request_catalog(request), _settings(request)

    def load(session: Session) -> ManifestMasterclass:
        masterclass = mc.visible(store.current(session), slug, None)
        return masterclass

    masterclass = await run_in_session(request, load)
    data = calendars.masterclass_calendar(masterclass, site_url=settings.site_url)
    return _ics(data, f"{slug}.ics", attachment=True, cache="public, max-age=300")


def _feed_view(settings: Settings, feed: CalendarFeed) -> CalendarFeedView:
    url = f"{api_root(settings)}/api/calendar/{feed.token}.ics"
    parts = urlsplit(url)
    webcal = urlunsplit(("webcal", parts.netloc, parts.path, "", "")) if parts.netloc else url
    return CalendarFeedView(url=url, webcal_url=webcal, created_at=feed.created_at)


@requires()
async def my_calendar(request: Request) -> Response:
    """The address of the signed-in user's personal calendar feed.

    ---
    summary: My calendar feed
    description: >-
      The secret URL of a calendar feed with the master classes the user registered for and
      the dates of their courses; created on the first call. Anyone with the URL can read
      those times: regenerate it if it leaks.
    operationId: myCalendar
    tags: [calendars]
    security: [{session: []}]
    responses:
      "200":
        description: The feed's address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CalendarFeedView"}
    """
    user = await signed_in_user(request)
    feed = await run_in_session(request, mc.feed_of, user.id)
    return json_response(_feed_view(_settings(request), feed))


@requires()
async def regenerate_calendar(request: Request) -> Response:
    """A new secret address for the personal feed; the old one stops working.

    ---
    summary: Regenerate my calendar feed
    description: >-
      Replaces the feed's token: calendar apps subscribed to the old URL get 404 from now
      on and must subscribe to the new one.
    operationId: regenerateMyCalendar
    tags: [calendars]
    security: [{session: []}]
    responses:
      "200":
        description: The new address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CalendarFeedView"}
    """
    user = await signed_in_user(request)
    feed = await run_in_session(request, mc.regenerate_feed, user.id)
    logger.info("Calendar feed of user %s regenerated", user.id)
    return json_response(_feed_view(_settings(request), feed))


def feed_events(
    session: Session, settings: Settings, catalog: Catalog | None, user_id: int
) -> list[Event]:
    """The user's registered master classes and the dated courses they are enrolled in."""
    if catalog is None:
        return []
    events: list[Event] = []
    mine = mc.registered_slugs(session, user_id)
    for masterclass in mc.published(catalog):
        if masterclass.slug in mine:
            events.append(calendars.masterclass_event(masterclass, site_url=settings.site_url))
    for enrollment in active_enrollments(session, user_id):
        course = catalog.course(enrollment.course)
        if course is None:
            continue
        event = calendars.course_event(course.course, site_url=settings.site_url)
        if event is not None:
            events.append(event)
    return events


async def calendar_feed(request: Request) -> Response:
    """A user's personal calendar feed.

    ---
    summary: Personal calendar feed
    description: >-
      The secret feed (`GET /api/me/calendar` gives its URL): the master classes the user
      registered for and their enrolled courses' dates, for calendar apps to subscribe to.
      404 for an unknown (or regenerated) token.
    operationId: getCalendarFeed
    tags: [calendars]
    parameters:
      - {name: token, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The feed.
        content:
          text/calendar:
            schema: {type: string}
    """
    token = request.path_params["token"]
    store, settings = request_catalog(request), _settings(request)

    def load(session: Session) -> tuple[int, str, list[Event]]:
        user_id = mc.feed_owner(session, token)
        user = session.get(User, user_id) if user_id is not None else None
        if user is None or user.deleted_at is not None or not user.is_active:
            raise ApiError(404, "not_found", "There is no calendar at this address.")
        catalog = store.current(session)
        school = (catalog.manifest.site_name if catalog else "") or (
            urlsplit(settings.site_url).hostname or ""
        )
        assert user.id is not None
        return user.id, school, feed_events(session, settings, catalog, user.id)

    user_id, school, events = await run_in_session(request, load)
    host = urlsplit(settings.site_url).hostname or "localhost"
    data = calendars.personal_feed(events, name=school, uid=f"feed-{user_id}@{host}")
    return _ics(data, "calendar.ics", attachment=False, cache="private, max-age=300")


MASTERCLASS = "/api/masterclasses/{masterclass:str}"

routes: list[BaseRoute] = [
    Route("/api/masterclasses", list_masterclasses, methods=["GET"], name="list_masterclasses"),
    # ".ics" first: `{masterclass:str}` alone would match "<slug>.ics" as well.
    Route(MASTERCLASS + ".ics", masterclass_ics, methods=["GET"], name="masterclass_ics"),
    Route(MASTERCLASS, get_masterclass, methods=["GET"], name="get_masterclass"),
    Route(MASTERCLASS + "/register", register, methods=["POST"], name="register_masterclass"),
    Route(
        MASTERCLASS + "/registration",
        cancel_registration,
        methods=["DELETE"],
        name="cancel_masterclass_registration",
    ),
    Route(MASTERCLASS + "/join", join, methods=["GET"], name="join_masterclass"),
    Route("/api/me/calendar", my_calendar, methods=["GET"], name="my_calendar"),
    Route(
        "/api/me/calendar/regenerate",
        regenerate_calendar,
        methods=["POST"],
        name="regenerate_my_calendar",
    ),
    Route("/api/calendar/{token:str}.ics", calendar_feed, methods=["GET"], name="calendar_feed"),
]

schema_models: list[type[BaseModel]] = [
    MasterclassList,
    MasterclassView,
    JoinInfo,
    CalendarFeedView,
]
