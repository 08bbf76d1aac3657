"""Bad input on every endpoint that takes a body: always a clear 4xx, never a 500.

Cases refused before any query (malformed JSON, wrong content type, 1 MB, wrong types,
missing and unknown fields, bad addresses and tokens) run on SQLite; names, which are stored
as sent (SQL-looking strings, emoji, right-to-left scripts), run on every backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_support import PASSWORD, AuthActions, UserFactory
from starlette.testclient import TestClient

LoginAs = Callable[..., TestClient]
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    body: dict[str, Any]
    who: str = "anonymous"  # or "student", "admin"
    required: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/auth/register",
        {"email": "new@example.com", "password": PASSWORD, "name": "New"},
        required=("email", "password", "name"),
    ),
    Endpoint("POST", "/api/auth/verify", {"token": "abc"}, required=("token",)),
    Endpoint("POST", "/api/auth/verify/resend", {"email": "a@example.com"}, required=("email",)),
    Endpoint(
        "POST",
        "/api/auth/login",
        {"email": "a@example.com", "password": PASSWORD},
        required=("email", "password"),
    ),
    Endpoint("POST", "/api/auth/logout", {}),
    Endpoint("POST", "/api/auth/password/forgot", {"email": "a@example.com"}, required=("email",)),
    Endpoint(
        "POST",
        "/api/auth/password/reset",
        {"token": "abc", "password": PASSWORD},
        required=("token", "password"),
    ),
    Endpoint("PATCH", "/api/me", {"name": "Renamed", "language": "es"}, "student"),
    Endpoint(
        "POST",
        "/api/me/email",
        {"email": "other@example.com", "password": PASSWORD},
        "student",
        ("email", "password"),
    ),
    Endpoint(
        "POST",
        "/api/me/password",
        {"current_password": PASSWORD, "new_password": "new-harbor-lantern-12"},
        "student",
        ("current_password", "new_password"),
    ),
    Endpoint("DELETE", "/api/me", {"password": PASSWORD}, "student", ("password",)),
    Endpoint(
        "PATCH",
        "/api/admin/users/{self}",
        {"roles": ["admin", "moderator"], "active": True},
        "admin",
    ),
]

IDS = [str(endpoint) for endpoint in ENDPOINTS]


@pytest.fixture
def call(client: TestClient, login_as: LoginAs) -> Callable[..., Any]:
    """``call(endpoint, json=…)`` or ``call(endpoint, content=…, headers=…)`` as its caller."""
    callers: dict[str, TestClient] = {}

    def caller(who: str) -> TestClient:
        if who not in callers:
            callers[who] = (
                client if who == "anonymous" else login_as(*(() if who == "student" else (who,)))
            )
        return callers[who]

    def send(endpoint: Endpoint, **kwargs: Any) -> Any:
        user = caller(endpoint.who)
        path = endpoint.path
        if "{self}" in path:
            path = path.format(self=user.get("/api/me").json()["id"])
        response = user.request(endpoint.method, path, **kwargs)
        assert response.status_code < 500, response.text
        return response

    return send


def code(response: Any) -> str:
    return str(response.json()["error"]["code"])


# --- the shape of the body ---------------------------------------------------------------------


MALFORMED = [b'{"email": ', b"{'a': 1}", b"", b'{"a": NaN}', b"\xff\xfe", b"[" * 10_000]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_malformed_json_is_400(call: Callable[..., Any], endpoint: Endpoint) -> None:
    for body in MALFORMED:
        response = call(endpoint, content=body, headers=JSON)

        assert response.status_code == 400, body[:20]
        assert code(response) == "malformed_json"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_form_body_is_415(call: Callable[..., Any], endpoint: Endpoint) -> None:
    response = call(
        endpoint,
        content=b"email=a%40example.com&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 415
    assert code(response) == "unsupported_media_type"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_no_body_at_all_is_refused(call: Callable[..., Any], endpoint: Endpoint) -> None:
    response = call(endpoint)

    assert response.status_code == 415


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_1_mb_body_is_413(call: Callable[..., Any], endpoint: Endpoint) -> None:
    body = {**endpoint.body, "padding": "x" * 1_000_000}

    response = call(endpoint, json=body)

    assert response.status_code == 413
    assert code(response) == "payload_too_large"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_body_that_is_not_an_object_is_422(call: Callable[..., Any], endpoint: Endpoint) -> None:
    for body in ([1, 2], "text", None, 42):
        response = call(endpoint, content=json.dumps(body), headers=JSON)

        assert response.status_code == 422, body
        assert response.json()["error"]["message"] == "The request body must be a JSON object."


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.required], ids=str)
def test_missing_fields_are_422_with_each_field_named(
    call: Callable[..., Any], endpoint: Endpoint
) -> None:
    response = call(endpoint, json={})

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == set(endpoint.required)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.body], ids=str)
def test_wrong_types_are_422(call: Callable[..., Any], endpoint: Endpoint) -> None:
    for wrong in (12345, 1.5, True, [], {"a": 1}):
        for name, valid in endpoint.body.items():
            if type(wrong) is type(valid):
                continue  # the right type: another test's business
            response = call(endpoint, json={**endpoint.body, name: wrong})

            assert response.status_code == 422, (name, wrong, response.text)
            assert name in response.json()["error"]["fields"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_unknown_fields_are_422(call: Callable[..., Any], endpoint: Endpoint) -> None:
    response = call(endpoint, json={**endpoint.body, "is_admin": True})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"is_admin": "Extra inputs are not permitted."}


# --- the values ----------------------------------------------------------------------------------


BAD_EMAILS = [
    "x" * 10_000 + "@example.com",
    "' OR 1=1 --",
    "admin'--@example.com'",
    "a\x00b@example.com",
    "josé@example.com",  # would need SMTPUTF8: refused
    "",
    "   ",
    "no-at-sign",
    "a@localhost",
]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "email" in e.body], ids=str)
def test_bad_email_addresses_are_422(call: Callable[..., Any], endpoint: Endpoint) -> None:
    for email in BAD_EMAILS:
        response = call(endpoint, json={**endpoint.body, "email": email})

        assert response.status_code == 422, email[:40]
        assert "email" in response.json()["error"]["fields"]


@pytest.mark.all_databases
@pytest.mark.parametrize(
    "name",
    ["x" * 10_000, "", "   ", "Ana\x00", "Ana\nMorales", "Ana\u202eselaroM", "\ud800"],
    ids=["10k", "empty", "blank", "nul", "newline", "bidi-override", "surrogate"],
)
def test_bad_names_are_refused(auth: AuthActions, student: TestClient, name: str) -> None:
    body = {"email": "n@example.com", "password": PASSWORD, "name": name}
    # json.dumps escapes a lone surrogate as \\ud800, which httpx itself would not send.
    registered = auth.client.post("/api/auth/register", content=json.dumps(body), headers=JSON)
    renamed = student.patch("/api/me", content=json.dumps({"name": name}), headers=JSON)

    for response in (registered, renamed):
        assert response.status_code in {400, 422}, response.text
    assert student.get("/api/me").json()["name"] == "Test User"


@pytest.mark.all_databases
@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström",
        "🎓👩🏽‍🏫 Ada",
        "مريم العربية",
        "שלום עליכם",
        "学生 王",
        "' OR 1=1 --",
        "Robert'); DROP TABLE users;--",
        "<script>alert(1)</script>",
        "x" * 100,
    ],
    ids=["accents", "emoji", "arabic", "hebrew", "cjk", "sql", "bobby", "html", "100"],
)
def test_unusual_but_valid_names_are_kept_exactly(
    auth: AuthActions, student: TestClient, name: str
) -> None:
    registered = auth.register(email="n@example.com", name=name)
    renamed = student.patch("/api/me", json={"name": name})

    assert registered.status_code == 201, registered.text
    assert registered.json()["name"] == name
    assert renamed.status_code == 200
    assert student.get("/api/me").json()["name"] == name


@pytest.mark.parametrize(
    "password",
    ["' OR 1=1 --", "' OR '1'='1' --x", "x\x00y-harbor-lantern", "🔑" * 20, "x" * 10_000],
    ids=["sql", "sql-quoted", "nul", "emoji", "10k"],
)
def test_odd_passwords_at_login_are_just_wrong(
    auth: AuthActions, make_user: UserFactory, password: str
) -> None:
    make_user("a@example.com")

    response = auth.login(email="a@example.com", password=password)

    assert response.status_code in {401, 422}
    if len(password) > 1024:
        assert response.status_code == 422


@pytest.mark.all_databases
def test_a_unicode_password_works(auth: AuthActions) -> None:
    password = "contraseña-ñandú-🔑-ключ"

    assert auth.register(password=password).status_code == 201
    assert auth.login(password=password).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["x" * 10_000, "' OR 1=1 --", "a\x00b", "eyJ1IjoxfQ.AAAA.BBBB", "....", "🎫"],
    ids=["10k", "sql", "nul", "forged", "dots", "emoji"],
)
def test_bad_tokens_are_clear_4xx(client: TestClient, token: str) -> None:
    verify = client.post("/api/auth/verify", json={"token": token})
    reset = client.post("/api/auth/password/reset", json={"token": token, "password": PASSWORD})

    for response in (verify, reset):
        assert response.status_code in {400, 422}, response.text
        assert code(response) in {"invalid_token", "invalid_fields"}


@pytest.mark.parametrize(
    "body",
    [
        {"roles": ["superuser"]},
        {"roles": ["admin"] * 50},
        {"instructor_slug": "' OR 1=1 --"},
        {"instructor_slug": "x" * 10_000},
        {"active": "yes"},
        {"roles": "admin"},
    ],
)
def test_bad_admin_updates_are_422(admin: TestClient, make_user: UserFactory, body: Any) -> None:
    target = make_user("t@example.com")

    response = admin.patch(f"/api/admin/users/{target['id']}", json=body)

    assert response.status_code == 422
