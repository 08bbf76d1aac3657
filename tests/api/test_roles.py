"""Roles and every boundary of the admin endpoints: anonymous, student, moderator, admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_support import PASSWORD, UserFactory
from learning_support import Publisher
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from dynamic_api.auth import requires, signed_in_user
from dynamic_api.models import Role

pytestmark = pytest.mark.all_databases

LoginAs = Callable[..., TestClient]


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


# --- the matrix --------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/api/admin/users", None),
    ("GET", "/api/admin/users/{id}", None),
    ("PATCH", "/api/admin/users/{id}", {"roles": ["instructor"]}),
]

#: role → expected status per endpoint above.
EXPECTED = {
    "anonymous": [401, 401, 401],
    "student": [403, 403, 403],
    "instructor": [403, 403, 403],
    "moderator": [403, 200, 403],
    "admin": [200, 200, 200],
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_role_boundaries(
    who: str, client: TestClient, login_as: LoginAs, make_user: UserFactory
) -> None:
    target = make_user("target@example.com")
    if who == "anonymous":
        caller = client
    elif who == "student":
        caller = login_as()
    else:
        caller = login_as(who)

    statuses = []
    for method, path, body in ENDPOINTS:
        response = caller.request(method, path.format(id=target["id"]), json=body)
        statuses.append(response.status_code)
        if response.status_code == 401:
            assert error(response)["code"] == "not_authenticated"
        if response.status_code == 403:
            assert error(response)["code"] == "forbidden"

    assert statuses == EXPECTED[who]


def test_everyone_is_a_student(login_as: LoginAs) -> None:
    moderator = login_as("moderator", "instructor")
    assert moderator.get("/api/me").json()["roles"] == ["instructor", "moderator", "student"]


# --- admin endpoints ---------------------------------------------------------------------------


def test_list_users_with_search_role_filter_and_pages(
    admin: TestClient, make_user: UserFactory
) -> None:
    for index in range(5):
        make_user(f"learner{index}@example.com", name=f"Learner {index}")
    make_user("teacher@example.com", name="Ana Morales", roles=["instructor"])
    make_user("percent@example.com", name="100% Sure_Thing")

    everyone = admin.get("/api/admin/users").json()
    page = admin.get("/api/admin/users", params={"per_page": 2, "page": 2}).json()
    learners = admin.get("/api/admin/users", params={"q": "LEARNER"}).json()
    by_email = admin.get("/api/admin/users", params={"q": "teacher@"}).json()
    instructors = admin.get("/api/admin/users", params={"role": "instructor"}).json()
    wildcard = admin.get("/api/admin/users", params={"q": "%"}).json()
    underscore = admin.get("/api/admin/users", params={"q": "e_t"}).json()

    assert everyone["total"] == 8  # five learners, the teacher, "percent", the admin
    assert everyone["items"][0]["email"] == "percent@example.com"  # newest first
    assert everyone["items"][-1]["email"] == "admin@example.com"
    assert page["page"] == 2
    assert len(page["items"]) == 2
    assert learners["total"] == 5
    assert [u["email"] for u in by_email["items"]] == ["teacher@example.com"]
    assert [u["name"] for u in instructors["items"]] == ["Ana Morales"]
    assert [u["email"] for u in wildcard["items"]] == ["percent@example.com"]  # literal %
    assert [u["email"] for u in underscore["items"]] == ["percent@example.com"]
    assert set(everyone["items"][0]) >= {"id", "email", "roles", "active", "verified"}


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "x"},
        {"per_page": "1000"},
        {"role": "superuser"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
        {"page": "99999999999999999999"},
    ],
)
def test_list_users_refuses_bad_parameters(admin: TestClient, params: dict[str, str]) -> None:
    response = admin.get("/api/admin/users", params=params)

    assert response.status_code == 422
    assert error(response)["code"] == "invalid_fields"


def test_sql_looking_search_is_just_text(admin: TestClient, make_user: UserFactory) -> None:
    make_user("o@example.com", name="' OR 1=1 --")

    found = admin.get("/api/admin/users", params={"q": "' OR 1=1 --"}).json()
    nothing = admin.get("/api/admin/users", params={"q": "' OR '1'='1"}).json()

    assert [u["name"] for u in found["items"]] == ["' OR 1=1 --"]
    assert nothing["total"] == 0


def test_get_an_unknown_user_is_404(admin: TestClient) -> None:
    for user_id in (999_999, 2**31, 10**30):
        response = admin.get(f"/api/admin/users/{user_id}")
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"


def test_admin_changes_roles_and_the_instructor_link(
    admin: TestClient, make_user: UserFactory, catalog: Publisher
) -> None:
    target = make_user("tess@example.com")

    response = admin.patch(
        f"/api/admin/users/{target['id']}",
        json={"roles": ["instructor", "moderator", "student"], "instructor_slug": "tess-tester"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == ["instructor", "moderator", "student"]
    assert body["instructor_slug"] == "tess-tester"
    assert body["instructor_courses"] == [
        "open-course",
        "paid-course",
        "members-course",
        "draft-course",
    ]
    assert admin.get(f"/api/admin/users/{target['id']}").json()["instructor_courses"][0] == (
        "open-course"
    )

    unlinked = admin.patch(f"/api/admin/users/{target['id']}", json={"instructor_slug": None})
    assert unlinked.json()["instructor_slug"] is None
    assert unlinked.json()["roles"] == ["instructor", "moderator", "student"]  # untouched


def test_an_unknown_instructor_slug_is_refused(
    admin: TestClient, make_user: UserFactory, catalog: Publisher
) -> None:
    target = make_user("ana@example.com")

    unknown = admin.patch(f"/api/admin/users/{target['id']}", json={"instructor_slug": "nobody"})
    malformed = admin.patch(f"/api/admin/users/{target['id']}", json={"instructor_slug": "No!"})

    assert unknown.status_code == 422
    assert "instructor_slug" in error(unknown)["fields"]
    assert malformed.status_code == 422


def test_moderators_can_read_but_not_change(login_as: LoginAs, make_user: UserFactory) -> None:
    moderator = login_as("moderator")
    target = make_user("t@example.com")

    assert moderator.get(f"/api/admin/users/{target['id']}").status_code == 200
    response = moderator.patch(f"/api/admin/users/{target['id']}", json={"roles": ["admin"]})
    assert response.status_code == 403


def test_a_student_cannot_make_themselves_admin(student: TestClient) -> None:
    me = student.get("/api/me").json()

    response = student.patch(f"/api/admin/users/{me['id']}", json={"roles": ["admin"]})

    assert response.status_code == 403
    assert student.get("/api/me").json()["roles"] == ["student"]


def test_the_last_admin_keeps_the_admin_role(admin: TestClient) -> None:
    me = admin.get("/api/me").json()

    demote = admin.patch(f"/api/admin/users/{me['id']}", json={"roles": ["moderator"]})
    disable = admin.patch(f"/api/admin/users/{me['id']}", json={"active": False})

    assert demote.status_code == 409
    assert error(demote)["code"] == "last_admin"
    assert disable.status_code == 409
    assert admin.get("/api/me").json()["roles"] == ["admin", "student"]


def test_with_a_second_admin_an_admin_may_step_down(
    admin: TestClient, make_user: UserFactory
) -> None:
    make_user("second@example.com", roles=["admin"])
    me = admin.get("/api/me").json()

    response = admin.patch(f"/api/admin/users/{me['id']}", json={"roles": []})

    assert response.status_code == 200
    assert response.json()["roles"] == ["student"]
    assert admin.get("/api/admin/users").status_code == 403  # the change applies at once


def test_an_admin_cannot_disable_themselves_even_with_other_admins(
    admin: TestClient, make_user: UserFactory
) -> None:
    make_user("second@example.com", roles=["admin"])
    me = admin.get("/api/me").json()

    response = admin.patch(f"/api/admin/users/{me['id']}", json={"active": False})

    assert response.status_code == 409
    assert error(response)["code"] == "cannot_disable_self"


def test_disabling_a_user_signs_them_out(admin: TestClient, login_as: LoginAs) -> None:
    victim = login_as()
    victim_id = victim.get("/api/me").json()["id"]

    response = admin.patch(f"/api/admin/users/{victim_id}", json={"active": False})

    assert response.status_code == 200
    assert response.json()["active"] is False
    assert victim.get("/api/me").status_code == 401
    email = victim.user["email"]  # type: ignore[attr-defined]
    relogin = victim.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert error(relogin)["code"] == "account_disabled"


# --- the declaration itself --------------------------------------------------------------------


@requires(Role.INSTRUCTOR, Role.ADMIN)
async def teaching(request: Request) -> Response:
    """A test endpoint for instructors or admins."""
    user = await signed_in_user(request)
    return JSONResponse({"id": user.id})


def test_requires_keeps_the_docstring_and_lists_the_roles() -> None:
    assert teaching.__doc__ == "A test endpoint for instructors or admins."
    assert teaching.required_roles == {"instructor", "admin"}  # type: ignore[attr-defined]


def test_requires_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        requires("superuser")


def test_requires_any_of_the_roles(app: Starlette, client: TestClient, login_as: LoginAs) -> None:
    app.router.routes.append(Route("/api/test/teaching", teaching))

    assert client.get("/api/test/teaching").status_code == 401
    assert login_as().get("/api/test/teaching").status_code == 403
    assert login_as("instructor").get("/api/test/teaching").status_code == 200
    assert login_as("admin").get("/api/test/teaching").status_code == 200
