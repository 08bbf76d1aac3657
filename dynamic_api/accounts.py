"""The rules of accounts, as plain functions on a database session.

Handlers in ``routes/accounts.py`` and ``routes/admin.py`` and the ``lms user`` commands call
these; each either returns what the caller needs or raises :class:`ApiError` with the answer
the client should get. Nothing here knows about HTTP requests or cookies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from dynamic_api.auth import CurrentUser, roles_of, snapshot
from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.fields import normalize_email
from dynamic_api.models import Role, User, UserRole
from dynamic_api.passwords import Passwords, password_problem
from dynamic_api.sessions import (
    SessionPolicy,
    create_session,
    revoke_token,
    revoke_user_sessions,
)
from dynamic_api.tokens import EmailTokens, ResetClaim, VerifyClaim, password_fingerprint

logger = logging.getLogger(__name__)

#: Never a valid Argon2 hash, so no password matches it (a deleted account's).
UNUSABLE_PASSWORD = "!"  # noqa: S105

#: Roles stored in ``user_roles``; ``student`` is implied for everyone.
STORED_ROLES = frozenset({Role.ADMIN.value, Role.INSTRUCTOR.value, Role.MODERATOR.value})


def invalid_credentials() -> ApiError:
    """The one answer for an unknown email and for a wrong password."""
    return ApiError(401, "invalid_credentials", "The email address or password is incorrect.")


def wrong_password(field: str = "password") -> ApiError:
    return ApiError(
        422, "invalid_fields", "The password is incorrect.", {field: "The password is incorrect."}
    )


def email_taken(field: str = "email") -> ApiError:
    return ApiError(
        409,
        "email_taken",
        "An account with this email address already exists.",
        {field: "An account with this email address already exists."},
    )


def account(session: Session, user: User) -> CurrentUser:
    assert user.id is not None
    return snapshot(user, roles_of(session, user.id))


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email_normalized == normalize_email(email))).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise ApiError(404, "not_found", "There is no user with this id.")
    return user


def _email_in_use(session: Session, email: str, except_user: int | None = None) -> bool:
    statement = select(User.id).where(User.email_normalized == normalize_email(email))
    if except_user is not None:
        statement = statement.where(col(User.id) != except_user)
    return session.exec(statement).first() is not None


# --- sign-up and sign-in -----------------------------------------------------------------


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password_hash: str,
    language: str = "en",
    roles: Iterable[str] = (),
    instructor_slug: str | None = None,
    verified: bool = False,
) -> User:
    """Insert a user; 409 ``email_taken`` when the address (in any case) is taken.

    The unique index decides, so two simultaneous sign-ups with one address give one
    account and one 409, whatever the database.
    """
    now = utcnow()
    user = User(
        email=email,
        email_normalized=normalize_email(email),
        name=name,
        password_hash=password_hash,
        language=language,
        instructor_slug=instructor_slug,
        email_verified_at=now if verified else None,
        created_at=now,
        updated_at=now,
    )
    if _email_in_use(session, email):
        raise email_taken()
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise email_taken() from None
    assert user.id is not None
    set_roles(session, user.id, roles)
    return user


def authenticate(
    session: Session,
    passwords: Passwords,
    email: str,
    password: str,
    *,
    require_verified: bool,
) -> User:
    """The user whose email and password these are, else 401 ``invalid_credentials``.

    An unknown address costs one Argon2 verification too, so timing does not tell whether
    it exists. A stale hash (other Argon2 parameters) is replaced on success.
    """
    user = find_by_email(session, email)
    usable = user is not None and user.deleted_at is None
    if not passwords.verify(user.password_hash if usable and user else None, password):
        raise invalid_credentials()
    assert user is not None
    if not user.is_active:
        raise ApiError(403, "account_disabled", "This account has been disabled.")
    if require_verified and not user.verified:
        raise ApiError(
            403,
            "email_not_verified",
            "Confirm your email address first: open the link we sent you, or ask for a new one.",
        )
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
        session.add(user)
        logger.info("Rehashed the password of user %s with the current parameters", user.id)
    return user


def sign_in(
    session: Session,
    passwords: Passwords,
    policy: SessionPolicy,
    email: str,
    password: str,
    *,
    require_verified: bool,
    user_agent: str,
    ip: str,
    previous_token: str = "",
) -> tuple[CurrentUser, str]:
    """Check the credentials and open a session; returns the user and the cookie token.

    A session the browser already had (``previous_token``) is revoked: one browser, one
    session.
    """
    user = authenticate(session, passwords, email, password, require_verified=require_verified)
    assert user.id is not None
    if previous_token:
        revoke_token(session, previous_token)
    token, row = create_session(session, user.id, policy, user_agent=user_agent, ip=ip)
    return snapshot(user, roles_of(session, user.id), row.id), token


def confirm_email(session: Session, claim: VerifyClaim) -> CurrentUser:
    """Apply a verification link: confirm the address, or switch to a pending new one."""
    user = session.get(User, claim.user_id)
    if user is None or user.deleted_at is not None:
        raise ApiError(400, "invalid_token", "This link is not valid. Request a new one.")
    if normalize_email(claim.email) == user.email_normalized:
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
    elif user.pending_email and normalize_email(user.pending_email) == normalize_email(claim.email):
        if _email_in_use(session, claim.email, except_user=user.id):
            raise email_taken("token")
        user.email = claim.email
        user.email_normalized = normalize_email(claim.email)
        user.pending_email = None
        user.email_verified_at = utcnow()
    else:  # an older address, or a change that was superseded
        raise ApiError(400, "invalid_token", "This link is no longer valid. Request a new one.")
    user.updated_at = utcnow()
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise email_taken("token") from None
    return account(session, user)


def check_new_password(password: str, email: str, field: str = "password") -> None:
    """422 with ``fields[field]`` when ``password`` breaks a rule (see ``passwords.py``)."""
    problem = password_problem(password, email)
    if problem:
        raise ApiError(422, "invalid_fields", problem, {field: problem})


def reset_password(
    session: Session, passwords: Passwords, claim: ResetClaim, new_password: str
) -> CurrentUser:
    """Apply a reset link: set the password, and revoke every session of the user."""
    user = session.get(User, claim.user_id)
    if (
        user is None
        or user.deleted_at is not None
        or password_fingerprint(user.password_hash) != claim.fingerprint
    ):
        raise ApiError(
            400,
            "invalid_token",
            "This link has already been used or is no longer valid. Request a new one.",
            {"token": "Already used or invalid."},
        )
    check_new_password(new_password, user.email)
    user.password_hash = passwords.hash(new_password)
    user.updated_at = utcnow()
    session.add(user)
    assert user.id is not None
    revoke_user_sessions(session, user.id)
    return account(session, user)


@dataclass(frozen=True)
class ResetRequest:
    email: str
    name: str
    language: str
    token: str


def request_password_reset(
    session: Session, tokens: EmailTokens, email: str
) -> ResetRequest | None:
    """A reset token for an active account with this address; ``None`` for anything else."""
    user = find_by_email(session, email)
    if user is None or user.deleted_at is not None or not user.is_active:
        return None
    assert user.id is not None
    return ResetRequest(
        email=user.email,
        name=user.name,
        language=user.language,
        token=tokens.make_reset(user.id, user.password_hash),
    )


def unverified_account(session: Session, email: str) -> User | None:
    """The active, unconfirmed account of ``email`` (to resend its link), else ``None``."""
    user = find_by_email(session, email)
    if user is None or user.deleted_at is not None or not user.is_active or user.verified:
        return None
    return user


# --- the signed-in user's own account ----------------------------------------------------


def update_profile(
    session: Session, user_id: int, *, name: str | None = None, language: str | None = None
) -> CurrentUser:
    user = get_user(session, user_id)
    if name is not None:
        user.name = name
    if language is not None:
        user.language = language
    user.updated_at = utcnow()
    session.add(user)
    return account(session, user)


def _check_password(passwords: Passwords, user: User, password: str, field: str) -> None:
    if not passwords.verify(user.password_hash, password):
        raise wrong_password(field)


def request_email_change(
    session: Session, passwords: Passwords, user_id: int, new_email: str, password: str
) -> CurrentUser:
    """Remember ``new_email`` as pending after checking the password; the caller emails it."""
    user = get_user(session, user_id)
    _check_password(passwords, user, password, "password")
    if normalize_email(new_email) == user.email_normalized:
        raise ApiError(
            422,
            "invalid_fields",
            "This is already your email address.",
            {"email": "This is already your email address."},
        )
    if _email_in_use(session, new_email):
        raise email_taken()
    user.pending_email = new_email
    user.updated_at = utcnow()
    session.add(user)
    return account(session, user)


def change_password(
    session: Session,
    passwords: Passwords,
    user_id: int,
    current_password: str,
    new_password: str,
    keep_session_id: int | None,
) -> int:
    """Set a new password after checking the current one; revokes the *other* sessions."""
    user = get_user(session, user_id)
    _check_password(passwords, user, current_password, "current_password")
    check_new_password(new_password, user.email, "new_password")
    user.password_hash = passwords.hash(new_password)
    user.updated_at = utcnow()
    session.add(user)
    return revoke_user_sessions(session, user_id, except_id=keep_session_id)


def delete_account(session: Session, passwords: Passwords, user_id: int, password: str) -> None:
    """Anonymise the account after checking the password, and revoke every session.

    The row stays (later records such as payments point at it) but holds nothing personal;
    the address becomes free for a new sign-up.
    """
    user = get_user(session, user_id)
    _check_password(passwords, user, password, "password")
    now = utcnow()
    placeholder = f"deleted-{user_id}@deleted.invalid"
    user.email = placeholder
    user.email_normalized = placeholder
    user.name = "Deleted user"
    user.password_hash = UNUSABLE_PASSWORD
    user.pending_email = None
    user.instructor_slug = None
    user.is_active = False
    user.deleted_at = now
    user.updated_at = now
    session.add(user)
    session.execute(sa.delete(UserRole).where(col(UserRole.user_id) == user_id))
    revoke_user_sessions(session, user_id)


# --- roles and administration ------------------------------------------------------------


def set_roles(session: Session, user_id: int, roles: Iterable[str]) -> frozenset[str]:
    """Make the user's stored roles exactly ``roles`` (``student`` is implied and ignored)."""
    wanted = {str(role) for role in roles} - {Role.STUDENT.value}
    unknown = wanted - STORED_ROLES
    if unknown:
        raise ApiError(422, "invalid_fields", f"Unknown role(s): {', '.join(sorted(unknown))}.")
    current = set(session.exec(select(UserRole.role).where(col(UserRole.user_id) == user_id)).all())
    for role in wanted - current:
        session.add(UserRole(user_id=user_id, role=role))
    if current - wanted:
        session.execute(
            sa.delete(UserRole).where(
                col(UserRole.user_id) == user_id, col(UserRole.role).in_(current - wanted)
            )
        )
    session.flush()
    return frozenset({Role.STUDENT.value, *wanted})


def count_admins(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(UserRole)
        .join(User, col(User.id) == col(UserRole.user_id))
        .where(
            UserRole.role == Role.ADMIN.value,
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
    ).one()


def update_user(
    session: Session,
    actor_id: int,
    user_id: int,
    *,
    roles: Iterable[str] | None = None,
    instructor_slug: str | None = None,
    set_instructor_slug: bool = False,
    active: bool | None = None,
) -> User:
    """An administrator's change to a user; the school always keeps one active admin."""
    user = get_user(session, user_id)
    current = roles_of(session, user_id)
    loses_admin = Role.ADMIN.value in current and (
        (roles is not None and Role.ADMIN.value not in {str(r) for r in roles})
        or (active is False and user.is_active)
    )
    if user_id == actor_id and active is False:
        raise ApiError(409, "cannot_disable_self", "You cannot disable your own account.")
    if loses_admin and count_admins(session) <= 1:
        raise ApiError(
            409,
            "last_admin",
            "This is the last administrator: make someone else an admin first.",
        )
    if roles is not None:
        set_roles(session, user_id, roles)
    if set_instructor_slug:
        user.instructor_slug = instructor_slug
    if active is not None and active != user.is_active:
        user.is_active = active
        if not active:
            revoke_user_sessions(session, user_id)
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class UserPage:
    users: list[tuple[User, frozenset[str]]]
    total: int


def list_users(
    session: Session,
    *,
    query: str = "",
    role: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> UserPage:
    """Users (not deleted) newest first, filtered by a search in name and email and a role."""
    statement = select(User).where(col(User.deleted_at).is_(None))
    if query:
        # Escape LIKE's wildcards so a search for "50%" means the text "50%".
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            sa.or_(
                func.lower(col(User.name)).like(pattern, escape="\\"),
                col(User.email_normalized).like(pattern, escape="\\"),
            )
        )
    if role and role != Role.STUDENT.value:
        statement = statement.where(
            col(User.id).in_(select(UserRole.user_id).where(UserRole.role == role))
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    users = session.exec(
        statement.order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    ids = [user.id for user in users]
    roles: dict[int, set[str]] = {user_id: {Role.STUDENT.value} for user_id in ids if user_id}
    if ids:
        for user_id, role_name in session.exec(
            select(UserRole.user_id, UserRole.role).where(col(UserRole.user_id).in_(ids))
        ).all():
            roles[user_id].add(role_name)
    return UserPage(
        users=[(user, frozenset(roles.get(user.id or 0, set()))) for user in users],
        total=total,
    )
