"""Accounts: sign-up, email verification, sign-in and out, password reset, the user's own account.

Thin handlers: read and validate the body (``read_json``), count the attempt against the rate
limits, run the rule in ``dynamic_api/accounts.py`` in the database thread pool, queue any
email, answer. Every state-changing endpoint takes a JSON body (``{}`` when it has nothing to
say), which is half of the CSRF defence (see ``dynamic_api/csrf.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dynamic_api import accounts
from dynamic_api.auth import (
    CurrentUser,
    client_ip,
    requires,
    session_policy,
    set_session_cookie,
    signed_in_user,
)
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_json
from dynamic_api.fields import Email, Language, Name, Password, Token, normalize_email
from dynamic_api.mail import compose, link
from dynamic_api.models import Role
from dynamic_api.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from dynamic_api.sessions import COOKIE_NAME, revoke_token
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

VERIFY_PAGE = "account/verify"
RESET_PAGE = "account/reset-password"


# --- bodies ------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmptyBody(_Body):
    """No fields: send `{}`."""


class Register(_Body):
    email: Email
    password: str = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; not a common password and "
        "not the email address.",
    )
    name: Name = Field(description="Shown on the dashboard, certificates and emails.")
    language: Language = Field("en", description="Language of the emails we send.")

    @field_validator("password")
    @classmethod
    def _password_rules(cls, value: str, info: ValidationInfo) -> str:
        problem = password_problem(value, info.data.get("email", ""))
        if problem:
            raise ValueError(problem)
        return value


class Verify(_Body):
    token: Token


class EmailOnly(_Body):
    email: Email


class Login(_Body):
    email: Email
    password: Password


class Reset(_Body):
    token: Token
    password: Password


class ProfileUpdate(_Body):
    name: Name | None = None
    language: Language | None = None


class EmailChange(_Body):
    email: Email = Field(description="The new address; it changes once confirmed.")
    password: Password = Field(description="The current password.")


class PasswordChange(_Body):
    current_password: Password
    new_password: Password


class AccountDeletion(_Body):
    password: Password = Field(description="The current password.")


class UserView(BaseModel):
    """A user as the user sees themselves (`GET /api/me`)."""

    id: int
    email: str
    name: str
    language: str
    roles: list[Role] = Field(description="Always includes `student`.")
    verified: bool = Field(description="Whether the email address is confirmed.")
    pending_email: str | None = Field(
        description="A new address waiting for its confirmation link, if any."
    )
    instructor_slug: str | None = Field(
        description="The instructor (content/instructors/<slug>.md) this account is."
    )
    created_at: datetime

    @classmethod
    def of(cls, user: CurrentUser) -> UserView:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            language=user.language,
            roles=sorted(Role(role) for role in user.roles),
            verified=user.verified,
            pending_email=user.pending_email,
            instructor_slug=user.instructor_slug,
            created_at=user.created_at,
        )


def _user(user: CurrentUser, status: int = 200) -> JSONResponse:
    return JSONResponse(UserView.of(user).model_dump(mode="json"), status_code=status)


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _state(request: Request) -> Any:
    return request.app.state


def send_verification(
    request: Request, *, user_id: int, to: str, name: str, language: str, change: bool = False
) -> None:
    """Queue the confirmation link for ``to`` (a new account's address, or a new address)."""
    settings = _settings(request)
    token = _state(request).tokens.make_verify(user_id, to)
    message = compose(
        settings,
        template="change_email" if change else "verify_email",
        to=to,
        name=name,
        language=language,
        url=link(settings, VERIFY_PAGE, token),
        hours=settings.verify_token_hours,
    )
    _state(request).mailer.send(message)


# --- sign-up and sign-in -----------------------------------------------------------------


async def register(request: Request) -> Response:
    """Create an account and email a link to confirm its address.

    ---
    summary: Sign up
    description: >-
      Creates the account (not signed in: call login next) and emails a confirmation link to
      `{LMS_SITE_URL}/account/verify/?token=…`. Rate limited per IP and per address.
    operationId: register
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Register"}
    responses:
      "201":
        description: The new account.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
      "409":
        description: An account with this address exists (`email_taken`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    body = await read_json(request, Register)
    await _state(request).rate_limiter.check(request, "register", normalize_email(body.email))
    password_hash = await run_in_threadpool(_state(request).passwords.hash, body.password)

    def create(session: Session) -> CurrentUser:
        user = accounts.create_user(
            session,
            email=body.email,
            name=body.name,
            password_hash=password_hash,
            language=body.language,
        )
        return accounts.account(session, user)

    user = await run_in_session(request, create)
    send_verification(
        request, user_id=user.id, to=user.email, name=user.name, language=user.language
    )
    logger.info("New account %s", user.id)
    return _user(user, 201)


async def verify(request: Request) -> Response:
    """Confirm an email address with the token from the emailed link.

    ---
    summary: Confirm an email address
    description: >-
      Confirms the address of a new account, or switches the account to the new address it
      asked for (`POST /api/me/email`). Using a link twice is harmless.
    operationId: verifyEmail
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Verify"}
    responses:
      "200":
        description: The account, now verified.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
      "400":
        description: >-
          `invalid_token` or `expired_token` (ask for a new link), or `malformed_json`.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "409":
        description: The new address was taken meanwhile (`email_taken`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    body = await read_json(request, Verify)
    claim = _state(request).tokens.load_verify(body.token)
    user = await run_in_session(request, accounts.confirm_email, claim)
    return _user(user)


async def resend_verification(request: Request) -> Response:
    """Email a new confirmation link to an unconfirmed account.

    ---
    summary: Resend the confirmation link
    description: >-
      Always 202, whether or not the address has an unconfirmed account, so the answer tells
      nothing about who has an account. Rate limited like password-forgot.
    operationId: resendVerification
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/EmailOnly"}
    responses:
      "202":
        description: If the address has an unconfirmed account, a link is on its way.
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    body = await read_json(request, EmailOnly)
    await _state(request).rate_limiter.check(request, "forgot", normalize_email(body.email))
    user = await run_in_session(request, accounts.unverified_account, body.email)
    if user is not None:
        assert user.id is not None
        send_verification(
            request, user_id=user.id, to=user.email, name=user.name, language=user.language
        )
    return Response(status_code=202)


async def login(request: Request) -> Response:
    """Check the email and password, open a session, set the session cookie.

    ---
    summary: Sign in
    description: >-
      Sets the `lms_session` cookie (HttpOnly, SameSite=Lax, Secure outside local
      development) and returns the user. An unknown address and a wrong password get the
      same answer (401 `invalid_credentials`). With `LMS_REQUIRE_VERIFIED_EMAIL`, an
      unconfirmed account gets 403 `email_not_verified`; a disabled one 403
      `account_disabled`. Rate limited per IP and per address.
    operationId: login
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Login"}
    responses:
      "200":
        description: Signed in.
        headers:
          Set-Cookie:
            description: The session cookie `lms_session`.
            schema: {type: string}
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
      "401":
        description: Unknown address or wrong password (`invalid_credentials`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    body = await read_json(request, Login)
    await _state(request).rate_limiter.check(request, "login", normalize_email(body.email))
    settings = _settings(request)
    user, token = await run_in_session(
        request,
        accounts.sign_in,
        _state(request).passwords,
        session_policy(settings),
        body.email,
        body.password,
        require_verified=settings.require_verified_email,
        user_agent=request.headers.get("user-agent", ""),
        ip=client_ip(request),
        previous_token=request.cookies.get(COOKIE_NAME, ""),
    )
    response = _user(user)
    set_session_cookie(response, request, token)
    return response


async def logout(request: Request) -> Response:
    """End this session on the server and delete the cookie.

    ---
    summary: Sign out
    description: Revokes the session server-side; idempotent (204 without a session too).
    operationId: logout
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/EmptyBody"}
    responses:
      "204": {description: "Signed out; the cookie is deleted."}
    """
    await read_json(request, EmptyBody)
    token = request.cookies.get(COOKIE_NAME, "")
    if token:
        await run_in_session(request, revoke_token, token)
    response = Response(status_code=204)
    set_session_cookie(response, request, None)
    return response


async def forgot_password(request: Request) -> Response:
    """Email a password-reset link, if the address has an account.

    ---
    summary: Forgot password
    description: >-
      Always 202, whether or not the address has an account. The link,
      `{LMS_SITE_URL}/account/reset-password/?token=…`, is valid for
      `LMS_RESET_TOKEN_MINUTES` and works once. Rate limited per IP and per address.
    operationId: forgotPassword
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/EmailOnly"}
    responses:
      "202": {description: "If the address has an account, a link is on its way."}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    body = await read_json(request, EmailOnly)
    await _state(request).rate_limiter.check(request, "forgot", normalize_email(body.email))
    found = await run_in_session(
        request, accounts.request_password_reset, _state(request).tokens, body.email
    )
    if found is not None:
        settings = _settings(request)
        _state(request).mailer.send(
            compose(
                settings,
                template="reset_password",
                to=found.email,
                name=found.name,
                language=found.language,
                url=link(settings, RESET_PAGE, found.token),
                minutes=settings.reset_token_minutes,
            )
        )
    return Response(status_code=202)


async def reset_password(request: Request) -> Response:
    """Choose a new password with the token from the emailed link.

    ---
    summary: Reset the password
    description: >-
      Sets the new password and revokes every session of the account (sign in again). The
      link dies once used. Does not sign in.
    operationId: resetPassword
    tags: [accounts]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Reset"}
    responses:
      "200":
        description: The password is changed.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
      "400":
        description: "`invalid_token` (also once used), `expired_token`, or `malformed_json`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    body = await read_json(request, Reset)
    claim = _state(request).tokens.load_reset(body.token)
    user = await run_in_session(
        request, accounts.reset_password, _state(request).passwords, claim, body.password
    )
    response = _user(user)
    set_session_cookie(response, request, None)
    return response


# --- the signed-in user's account --------------------------------------------------------


@requires()
async def me(request: Request) -> Response:
    """The signed-in user.

    ---
    summary: The signed-in user
    description: Who is signed in, or 401 `not_authenticated`. Pages call this to draw the navbar.
    operationId: getMe
    tags: [accounts]
    security: [{session: []}]
    responses:
      "200":
        description: The signed-in user.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
    """
    return _user(await signed_in_user(request))


@requires()
async def update_me(request: Request) -> Response:
    """Change the user's name or email language.

    ---
    summary: Update the profile
    description: Send only the fields to change.
    operationId: updateMe
    tags: [accounts]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/ProfileUpdate"}
    responses:
      "200":
        description: The updated user.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
    """
    current = await signed_in_user(request)
    body = await read_json(request, ProfileUpdate)
    user = await run_in_session(
        request, accounts.update_profile, current.id, name=body.name, language=body.language
    )
    return _user(user)


@requires()
async def change_email(request: Request) -> Response:
    """Ask to change the email address; it changes once the new one is confirmed.

    ---
    summary: Change the email address
    description: >-
      Checks the current password, then emails a confirmation link to the new address; the
      account keeps its address until that link is opened (`POST /api/auth/verify`). The
      password check counts against the sign-in limit of the account, and the message
      against the email limits.
    operationId: changeEmail
    tags: [accounts]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/EmailChange"}
    responses:
      "202":
        description: The link is on its way; `pending_email` shows the new address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UserView"}
      "409":
        description: Another account has this address (`email_taken`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    current = await signed_in_user(request)
    body = await read_json(request, EmailChange)
    limiter = _state(request).rate_limiter
    await limiter.check(request, "login", current.email.lower())
    await limiter.check(request, "forgot", normalize_email(body.email))
    user = await run_in_session(
        request,
        accounts.request_email_change,
        _state(request).passwords,
        current.id,
        body.email,
        body.password,
    )
    send_verification(
        request,
        user_id=current.id,
        to=body.email,
        name=user.name,
        language=user.language,
        change=True,
    )
    return _user(user, 202)


@requires()
async def change_password(request: Request) -> Response:
    """Change the password; other sessions are signed out.

    ---
    summary: Change the password
    description: >-
      Checks the current password (422 with `fields.current_password` when wrong) and the
      rules for the new one (`fields.new_password`); revokes every other session.
    operationId: changePassword
    tags: [accounts]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/PasswordChange"}
    responses:
      "204": {description: "Changed; this session stays signed in."}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    current = await signed_in_user(request)
    body = await read_json(request, PasswordChange)
    await _state(request).rate_limiter.check(request, "login", current.email.lower())
    await run_in_session(
        request,
        accounts.change_password,
        _state(request).passwords,
        current.id,
        body.current_password,
        body.new_password,
        current.session_id,
    )
    return Response(status_code=204)


@requires()
async def delete_me(request: Request) -> Response:
    """Delete the account: personal data is erased and every session ends.

    ---
    summary: Delete the account
    description: >-
      Checks the password, then anonymises the account (name, address and password are
      erased; the address becomes free) and revokes every session. Cannot be undone.
    operationId: deleteMe
    tags: [accounts]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/AccountDeletion"}
    responses:
      "204": {description: "Deleted; the cookie is deleted too."}
      "409":
        description: The last administrator cannot delete their account (`last_admin`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "429": {$ref: "#/components/responses/RateLimited"}
    """
    current = await signed_in_user(request)
    body = await read_json(request, AccountDeletion)
    await _state(request).rate_limiter.check(request, "login", current.email.lower())
    if current.has_role(Role.ADMIN):
        admins = await run_in_session(request, accounts.count_admins)
        if admins <= 1:
            raise ApiError(
                409,
                "last_admin",
                "You are the last administrator: make someone else an admin first.",
            )
    await run_in_session(
        request, accounts.delete_account, _state(request).passwords, current.id, body.password
    )
    logger.info("Account %s deleted by its owner", current.id)
    response = Response(status_code=204)
    set_session_cookie(response, request, None)
    return response


routes: list[BaseRoute] = [
    Route("/api/auth/register", register, methods=["POST"], name="register"),
    Route("/api/auth/verify", verify, methods=["POST"], name="verify"),
    Route(
        "/api/auth/verify/resend", resend_verification, methods=["POST"], name="resend_verification"
    ),
    Route("/api/auth/login", login, methods=["POST"], name="login"),
    Route("/api/auth/logout", logout, methods=["POST"], name="logout"),
    Route("/api/auth/password/forgot", forgot_password, methods=["POST"], name="forgot_password"),
    Route("/api/auth/password/reset", reset_password, methods=["POST"], name="reset_password"),
    Route("/api/me", me, methods=["GET"], name="me"),
    Route("/api/me", update_me, methods=["PATCH"], name="update_me"),
    Route("/api/me", delete_me, methods=["DELETE"], name="delete_me"),
    Route("/api/me/email", change_email, methods=["POST"], name="change_email"),
    Route("/api/me/password", change_password, methods=["POST"], name="change_password"),
]

schema_models: list[type[BaseModel]] = [
    UserView,
    EmptyBody,
    Register,
    Verify,
    EmailOnly,
    Login,
    Reset,
    ProfileUpdate,
    EmailChange,
    PasswordChange,
    AccountDeletion,
]
