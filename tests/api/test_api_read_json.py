"""read_json: the one way every endpoint reads a JSON body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field, model_validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from dynamic_api import read_json
from dynamic_api.errors import DEFAULT_MAX_BYTES


class Answer(BaseModel):
    question: str
    choice: int


class Submission(BaseModel):
    name: str = Field(min_length=1)
    age: int
    answers: list[Answer] = []
    password: str = ""
    confirm: str = ""

    @model_validator(mode="after")
    def passwords_match(self) -> Submission:
        if self.password != self.confirm:
            raise ValueError("the passwords differ")
        return self


async def echo(request: Request) -> Response:
    submission = await read_json(request, Submission)
    return JSONResponse(submission.model_dump())


async def echo_small(request: Request) -> Response:
    submission = await read_json(request, Submission, max_bytes=100)
    return JSONResponse(submission.model_dump())


@pytest.fixture
def app(app: Starlette) -> Starlette:
    app.router.routes.extend(
        [
            Route("/api/test/echo", echo, methods=["POST"]),
            Route("/api/test/echo-small", echo_small, methods=["POST"]),
        ]
    )
    return app


def post(client: TestClient, body: bytes, content_type: str = "application/json") -> Any:
    return client.post("/api/test/echo", content=body, headers={"Content-Type": content_type})


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


def test_valid_body_is_validated_into_the_model(client: TestClient) -> None:
    response = client.post("/api/test/echo", json={"name": "Ada", "age": 36})

    assert response.status_code == 200
    assert response.json()["name"] == "Ada"


def test_unicode_survives(client: TestClient) -> None:
    name = "Ñandú Ωmega 学生 🎓"
    body = ('{"name": "' + name + '", "age": 1}').encode()

    response = post(client, body, "application/json; charset=UTF-8")

    assert response.status_code == 200
    assert response.json()["name"] == name


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",  # what a cross-site form can send
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json; charset=latin-1",
    ],
)
def test_wrong_content_type_is_415(client: TestClient, content_type: str) -> None:
    response = post(client, b'{"name": "Ada", "age": 36}', content_type)

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_missing_content_type_is_415(client: TestClient) -> None:
    response = client.post("/api/test/echo", content=b'{"name": "Ada", "age": 36}')

    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "Ada", "age": 36',
        b"{'name': 'Ada'}",
        b"",
        b"   ",
        b'{"name": "Ada", "age": NaN}',
        b'{"name": "Ada", "age": Infinity}',
        b"\xff\xfe{}",
        b'{"name": "Ada"} trailing',
        b"[" * 30_000 + b"]" * 30_000,
    ],
    ids=[
        "truncated",
        "quotes",
        "empty",
        "blank",
        "nan",
        "infinity",
        "not-utf8",
        "trailing",
        "deep",
    ],
)
def test_malformed_json_is_400(client: TestClient, body: bytes) -> None:
    assert len(body) <= DEFAULT_MAX_BYTES

    response = post(client, body)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_json"
    assert str(error["message"]).endswith(".")


def test_a_1_mb_body_is_413(client: TestClient) -> None:
    body = b'{"name": "' + b"x" * 1_000_000 + b'", "age": 1}'

    response = post(client, body)

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_a_streamed_body_without_length_is_counted(client: TestClient) -> None:
    """Chunked transfer declares no Content-Length: the limit counts what arrives."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        yield b"x" * 200
        yield b'", "age": 1}'

    response = client.post(
        "/api/test/echo-small", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "100 bytes" in str(error_of(response)["message"])


def test_max_bytes_allows_a_body_of_exactly_that_size(client: TestClient) -> None:
    body = b'{"name": "Ada", "age": 1}'
    body = body[:-1] + b" " * (100 - len(body)) + b"}"
    assert len(body) == 100

    response = client.post(
        "/api/test/echo-small", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200


def test_missing_field_is_422_with_fields(client: TestClient) -> None:
    response = client.post("/api/test/echo", json={"age": 36})

    assert response.status_code == 422
    assert error_of(response) == {
        "code": "invalid_fields",
        "message": "Some fields are missing or invalid.",
        "fields": {"name": "Field required."},
    }


def test_wrong_types_are_422_with_dotted_paths(client: TestClient) -> None:
    response = client.post(
        "/api/test/echo",
        json={"name": "", "age": "old", "answers": [{"question": "q1", "choice": "b"}]},
    )

    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert isinstance(fields, dict)
    assert set(fields) == {"name", "age", "answers.0.choice"}
    assert fields["age"].startswith("Input should be a valid integer")


def test_model_level_error_becomes_the_message(client: TestClient) -> None:
    response = client.post(
        "/api/test/echo", json={"name": "Ada", "age": 1, "password": "a", "confirm": "b"}
    )

    assert response.status_code == 422
    assert error_of(response) == {"code": "invalid_fields", "message": "The passwords differ."}


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"null", b"42"])
def test_a_body_that_is_not_an_object_is_422(client: TestClient, body: bytes) -> None:
    response = post(client, body)

    assert response.status_code == 422
    assert error_of(response)["message"] == "The request body must be a JSON object."
