"""Coupons in the database: create, list, (de)activate, find by code; who may manage which.

Admins manage every coupon; instructors only coupons for one of the courses the published
catalog names them on (never an "every item" coupon). Redemption is not here: it happens
when an order is paid (``orders.reserve_coupon``), race-safe.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from dynamic_api.auth import CurrentUser
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog
from dynamic_api.models import Coupon, Role
from dynamic_api.payments.pricing import normalize_code
from dynamic_api.payments.views import CouponCreate
from dynamic_api.upsert import insert_or_ignore


def by_code(session: Session, code: str) -> Coupon | None:
    code = normalize_code(code)
    if not code or len(code) > 40:
        return None
    return session.exec(select(Coupon).where(col(Coupon.code) == code)).first()


def taught_courses(catalog: Catalog | None, user: CurrentUser) -> set[str]:
    """Slugs of the courses whose content names ``user``'s instructor profile."""
    if catalog is None or not user.instructor_slug or not user.has_role(Role.INSTRUCTOR):
        return set()
    return {
        slug
        for slug, index in catalog.courses.items()
        if user.instructor_slug in index.course.instructors
    }


def may_manage(user: CurrentUser | None, catalog: Catalog | None, course: str | None) -> bool:
    """Admins: any coupon. Instructors: coupons for one of their own courses."""
    if user is None:
        return True  # the command line
    if user.has_role(Role.ADMIN):
        return True
    return course is not None and course in taught_courses(catalog, user)


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_fields", message, {field: message})


def create(
    session: Session,
    catalog: Catalog | None,
    data: CouponCreate,
    *,
    user: CurrentUser | None,
) -> Coupon:
    """A new coupon; 409 ``coupon_code_taken`` when the code exists (in any case)."""
    if data.course is not None:
        index = catalog.course(data.course) if catalog is not None else None
        if index is None:
            raise _invalid("course", "No published course has this slug.")
        price = index.course.price
        if price is None:
            raise _invalid("course", "This course is free: a coupon would change nothing.")
        if data.kind == "fixed" and data.currency != price.currency:
            raise _invalid("currency", f"This course is priced in {price.currency}.")
    if not may_manage(user, catalog, data.course):
        if data.course is None:
            raise ApiError(
                403, "forbidden", "Instructors create coupons for one of their own courses."
            )
        raise ApiError(403, "forbidden", "You can only create coupons for your own courses.")
    inserted = insert_or_ignore(
        session,
        Coupon,
        code=data.code,
        kind=data.kind,
        value=Decimal(data.value),
        currency=data.currency,
        course=data.course,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        max_redemptions=data.max_redemptions,
        per_user_limit=data.per_user_limit,
        redeemed=0,
        active=True,
        created_by=user.id if user is not None else None,
    )
    if not inserted:
        raise ApiError(
            409, "coupon_code_taken", f"A coupon with the code {data.code} already exists."
        )
    coupon = by_code(session, data.code)
    assert coupon is not None
    return coupon


def listed(
    session: Session,
    catalog: Catalog | None,
    *,
    user: CurrentUser | None,
    course: str | None = None,
    active: bool | None = None,
) -> list[Coupon]:
    """Coupons the caller may manage, newest first."""
    query = select(Coupon).order_by(col(Coupon.created_at).desc(), col(Coupon.id).desc())
    if course is not None:
        query = query.where(col(Coupon.course) == course)
    if active is not None:
        query = query.where(col(Coupon.active).is_(active))
    if user is not None and not user.has_role(Role.ADMIN):
        mine = sorted(taught_courses(catalog, user))
        if not mine:
            return []
        query = query.where(col(Coupon.course).in_(mine))
    return list(session.exec(query).all())


def get(session: Session, coupon_id: int) -> Coupon:
    coupon = session.get(Coupon, coupon_id) if 0 < coupon_id < 2**31 else None
    if coupon is None:
        raise ApiError(404, "not_found", "There is no coupon with this id.")
    return coupon


def set_active(
    session: Session,
    catalog: Catalog | None,
    coupon: Coupon,
    active: bool,
    *,
    user: CurrentUser | None,
) -> Coupon:
    if not may_manage(user, catalog, coupon.course):
        raise ApiError(403, "forbidden", "You can only change coupons of your own courses.")
    coupon.active = active
    session.add(coupon)
    session.flush()
    return coupon
