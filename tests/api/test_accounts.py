"""Sign-up, verification, sign-in and out, password reset, and the user's own account."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from api_support import (
    PASSWORD,
    AuthActions,
    Outbox,
    UserFactory,
    companion,
    html_of,
    text_of,
    token_in,
)
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api.db import session_scope
from dynamic_api.models import User, UserSession
from site_builder.settings import Settings

pytestmark = pytest.mark.all_databases


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


# --- register and verify -------------------------------------------------------------------


def test_register_creates_an_unverified_student_and_emails_a_link(
    auth: AuthActions, outbox: Outbox, settings: Settings
) -> None:
    response = auth.register(email="Sam.Student@Example.COM", name="Sam 😀")

    assert response.status_code == 201
    user = response.json()
    assert user["email"] == "Sam.Student@example.com"  # domain lowercased, local part kept
    assert user["name"] == "Sam 😀"
    assert user["roles"] == ["student"]
    assert user["verified"] is False
    assert user["language"] == "en"
    assert user["created_at"].endswith("Z")
    assert "password" not in response.text
    assert "lms_session" not in response.headers.get("set-cookie", "")  # not signed in

    message = outbox.last(to="sam.student@example.com")
    assert message["Subject"] == "Confirm your email address"
    assert f"{settings.site_url}/account/verify/?token=" in text_of(message)
    assert f"{settings.site_url}/account/verify/?token=" in html_of(message)


def test_verify_confirms_the_address(auth: AuthActions) -> None:
    auth.register()

    response = auth.verify()

    assert response.status_code == 200
    assert response.json()["verified"] is True
    assert auth.verify().status_code == 200  # a second use is harmless


def test_register_twice_with_the_same_address_in_any_case_is_409(auth: AuthActions) -> None:
    assert auth.register(email="ana@example.com").status_code == 201

    response = auth.register(email="ANA@Example.com")

    assert response.status_code == 409
    assert error(response)["code"] == "email_taken"
    assert "email" in error(response)["fields"]


def test_two_simultaneous_registrations_give_one_account(
    client: TestClient, engine: Engine
) -> None:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def register() -> None:
        barrier.wait()
        response = client.post(
            "/api/auth/register",
            json={"email": "race@example.com", "password": PASSWORD, "name": "Racer"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]
    with session_scope(engine) as session:
        assert len(session.exec(select(User)).all()) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10"),
        ("x" * 257, "at most 256"),
        ("password123", "too common"),
        ("Sunshine2024!", "too common"),
        ("qwertyuiop", "sequence"),
        ("iloveyou2024", "too common"),
        ("0987654321", "sequence"),
        ("aaaaaaaaaaaa", "too few"),
        ("student@example.com", "email address"),
    ],
)
def test_register_refuses_weak_passwords(auth: AuthActions, password: str, message: str) -> None:
    response = auth.register(password=password)

    assert response.status_code == 422
    assert message in error(response)["fields"]["password"]


def test_register_in_spanish_sends_a_spanish_email(auth: AuthActions, outbox: Outbox) -> None:
    auth.register(language="es")

    message = outbox.last()
    assert message["Subject"] == "Confirma tu dirección de correo"
    assert message["Content-Language"] == "es"
    assert "Hola, Sam Student:" in text_of(message)
    assert 'lang="es"' in html_of(message)


def test_a_tampered_or_foreign_token_is_refused(auth: AuthActions, client: TestClient) -> None:
    auth.register()
    token = token_in(auth.outbox.last())

    for bad in (token[:-2] + "xx", "not-a-token", token.replace(".", "", 1)):
        response = client.post("/api/auth/verify", json={"token": bad})
        assert response.status_code == 400
        assert error(response)["code"] == "invalid_token"


def test_resend_verification_always_answers_202(auth: AuthActions, outbox: Outbox) -> None:
    auth.register()
    before = len(outbox.messages())

    unknown = auth.client.post("/api/auth/verify/resend", json={"email": "nobody@example.com"})
    known = auth.client.post("/api/auth/verify/resend", json={"email": "student@example.com"})

    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content == b""
    assert len(outbox.messages()) == before + 1
    assert auth.verify().json()["verified"] is True


# --- login and logout ------------------------------------------------------------------------


def test_login_sets_the_cookie_and_returns_the_user(auth: AuthActions, client: TestClient) -> None:
    auth.register()

    response = auth.login(email="STUDENT@example.com")

    assert response.status_code == 200
    assert response.json()["email"] == "student@example.com"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lms_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # LMS_ENV=test over plain http
    assert client.get("/api/me").json()["email"] == "student@example.com"


def test_unknown_email_and_wrong_password_get_the_same_answer(auth: AuthActions) -> None:
    auth.register()

    wrong = auth.login(password="not-the-password-1")
    unknown = auth.login(email="nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert error(wrong)["code"] == "invalid_credentials"


def test_both_failures_cost_one_argon2_verification(
    auth: AuthActions, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing does not tell an unknown address: it is checked against a dummy hash."""
    auth.register()
    calls: list[str] = []

    class Spy:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def verify(self, hash: str, password: str) -> bool:
            calls.append(hash)
            return self.inner.verify(hash, password)  # type: ignore[no-any-return]

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    passwords = app.state.passwords
    monkeypatch.setattr(passwords, "hasher", Spy(passwords.hasher))

    auth.login(email="nobody@example.com")
    auth.login(password="not-the-password-1")

    assert len(calls) == 2
    assert all(h.startswith("$argon2id$") for h in calls)


def test_login_with_unverified_email_when_verification_is_required(
    auth: AuthActions, app: Starlette
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"require_verified_email": True})
    auth.register()

    refused = auth.login()
    wrong = auth.login(password="not-the-password-1")
    auth.verify()
    allowed = auth.login()

    assert refused.status_code == 403
    assert error(refused)["code"] == "email_not_verified"
    assert wrong.status_code == 401  # the password is checked first: no enumeration
    assert allowed.status_code == 200


def test_logout_revokes_the_session_server_side(
    auth: AuthActions, client: TestClient, engine: Engine
) -> None:
    auth.register()
    auth.login()
    token = client.cookies["lms_session"]

    response = auth.logout()

    assert response.status_code == 204
    assert 'lms_session=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert client.get("/api/me").status_code == 401
    # The old cookie, replayed, is dead.
    client.cookies.set("lms_session", token)
    assert client.get("/api/me").status_code == 401
    with session_scope(engine) as session:
        assert session.exec(select(UserSession)).one().revoked_at is not None


def test_logout_without_a_session_is_fine(client: TestClient) -> None:
    assert client.post("/api/auth/logout", json={}).status_code == 204


def test_me_without_a_session_is_401(client: TestClient) -> None:
    response = client.get("/api/me")

    assert response.status_code == 401
    assert error(response) == {"code": "not_authenticated", "message": "Sign in to do this."}


def test_a_disabled_account_cannot_sign_in(
    auth: AuthActions, make_user: UserFactory, engine: Engine
) -> None:
    make_user("off@example.com")
    with session_scope(engine) as session:
        user = session.exec(select(User)).one()
        user.is_active = False
        session.add(user)

    response = auth.login(email="off@example.com")

    assert response.status_code == 403
    assert error(response)["code"] == "account_disabled"


# --- forgot and reset --------------------------------------------------------------------------


def test_forgot_password_answers_202_whether_or_not_the_address_exists(
    auth: AuthActions, outbox: Outbox
) -> None:
    auth.register()
    before = len(outbox.messages())

    known = auth.client.post("/api/auth/password/forgot", json={"email": "student@example.com"})
    unknown = auth.client.post("/api/auth/password/forgot", json={"email": "x@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    messages = outbox.messages()
    assert len(messages) == before + 1
    assert messages[-1]["Subject"] == "Reset your password"
    assert "/account/reset-password/?token=" in text_of(messages[-1])


def test_reset_sets_the_password_revokes_every_session_and_dies_once_used(
    auth: AuthActions, client: TestClient, login_as: Callable[..., TestClient]
) -> None:
    auth.register()
    auth.login()
    other_browser = companion(client)
    other_browser.post(
        "/api/auth/login", json={"email": "student@example.com", "password": PASSWORD}
    )
    client.post("/api/auth/password/forgot", json={"email": "student@example.com"})
    token = token_in(auth.outbox.last())

    response = client.post(
        "/api/auth/password/reset", json={"token": token, "password": "new-harbor-lantern-12"}
    )

    assert response.status_code == 200
    assert client.get("/api/me").status_code == 401
    assert other_browser.get("/api/me").status_code == 401
    assert auth.login().status_code == 401
    assert auth.login(password="new-harbor-lantern-12").status_code == 200
    again = client.post(
        "/api/auth/password/reset", json={"token": token, "password": "third-harbor-lantern-3"}
    )
    assert again.status_code == 400
    assert error(again)["code"] == "invalid_token"
    other_browser.close()


def test_reset_refuses_a_weak_password_and_keeps_the_token_usable(
    auth: AuthActions, client: TestClient
) -> None:
    auth.register()
    client.post("/api/auth/password/forgot", json={"email": "student@example.com"})
    token = token_in(auth.outbox.last())

    weak = client.post("/api/auth/password/reset", json={"token": token, "password": "password1"})
    good = client.post(
        "/api/auth/password/reset", json={"token": token, "password": "new-harbor-lantern-12"}
    )

    assert weak.status_code == 422
    assert "password" in error(weak)["fields"]
    assert good.status_code == 200


def test_a_verify_token_is_not_a_reset_token(auth: AuthActions, client: TestClient) -> None:
    auth.register()
    token = token_in(auth.outbox.last())

    response = client.post(
        "/api/auth/password/reset", json={"token": token, "password": "new-harbor-lantern-12"}
    )

    assert response.status_code == 400
    assert error(response)["code"] == "invalid_token"


# --- account settings --------------------------------------------------------------------------


def test_update_name_and_language(student: TestClient) -> None:
    response = student.patch("/api/me", json={"name": "  Zoë Ω  ", "language": "es"})

    assert response.status_code == 200
    assert response.json()["name"] == "Zoë Ω"
    assert response.json()["language"] == "es"
    assert student.patch("/api/me", json={}).json()["name"] == "Zoë Ω"


def test_change_email_waits_for_the_new_address_to_be_confirmed(
    student: TestClient, outbox: Outbox
) -> None:
    response = student.post(
        "/api/me/email", json={"email": "New@Example.com", "password": PASSWORD}
    )

    assert response.status_code == 202
    assert response.json()["email"] == "student@example.com"
    assert response.json()["pending_email"] == "New@example.com"
    message = outbox.last(to="new@example.com")
    assert message["Subject"] == "Confirm your new email address"

    confirmed = student.post("/api/auth/verify", json={"token": token_in(message)})

    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "New@example.com"
    assert confirmed.json()["pending_email"] is None
    assert student.get("/api/me").json()["email"] == "New@example.com"


def test_change_email_needs_the_password_and_a_free_address(
    student: TestClient, make_user: UserFactory
) -> None:
    make_user("taken@example.com")

    wrong = student.post(
        "/api/me/email", json={"email": "n@example.com", "password": "nope-nope-1"}
    )
    taken = student.post("/api/me/email", json={"email": "TAKEN@example.com", "password": PASSWORD})
    same = student.post(
        "/api/me/email", json={"email": "student@example.com", "password": PASSWORD}
    )

    assert wrong.status_code == 422
    assert error(wrong)["fields"] == {"password": "The password is incorrect."}
    assert taken.status_code == 409
    assert same.status_code == 422


def test_an_older_email_change_link_dies_when_a_newer_change_is_asked(
    student: TestClient, outbox: Outbox
) -> None:
    student.post("/api/me/email", json={"email": "first@example.com", "password": PASSWORD})
    first = token_in(outbox.last(to="first@example.com"))
    student.post("/api/me/email", json={"email": "second@example.com", "password": PASSWORD})

    response = student.post("/api/auth/verify", json={"token": first})

    assert response.status_code == 400
    assert error(response)["code"] == "invalid_token"


def test_change_password_keeps_this_session_and_ends_the_others(
    student: TestClient, app: Starlette
) -> None:
    other = companion(student)
    other.post("/api/auth/login", json={"email": "student@example.com", "password": PASSWORD})
    assert other.get("/api/me").status_code == 200

    wrong = student.post(
        "/api/me/password",
        json={"current_password": "wrong-password-1", "new_password": "new-harbor-lantern-12"},
    )
    weak = student.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": "123456789012"}
    )
    response = student.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": "new-harbor-lantern-12"},
    )

    assert wrong.status_code == 422
    assert "current_password" in error(wrong)["fields"]
    assert weak.status_code == 422
    assert "new_password" in error(weak)["fields"]
    assert response.status_code == 204
    assert student.get("/api/me").status_code == 200
    assert other.get("/api/me").status_code == 401
    other.close()


def test_delete_account_anonymises_it_and_frees_the_address(
    student: TestClient, auth: AuthActions, engine: Engine
) -> None:
    wrong = student.request("DELETE", "/api/me", json={"password": "wrong-password-1"})
    response = student.request("DELETE", "/api/me", json={"password": PASSWORD})

    assert wrong.status_code == 422
    assert response.status_code == 204
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert student.get("/api/me").status_code == 401
    assert auth.login().status_code == 401
    with session_scope(engine) as session:
        user = session.exec(select(User)).one()
    assert user.deleted_at is not None
    assert "student" not in user.email
    assert user.name == "Deleted user"
    assert auth.register().status_code == 201  # the address is free again


def test_the_last_admin_cannot_delete_their_account(admin: TestClient) -> None:
    response = admin.request("DELETE", "/api/me", json={"password": PASSWORD})

    assert response.status_code == 409
    assert error(response)["code"] == "last_admin"
