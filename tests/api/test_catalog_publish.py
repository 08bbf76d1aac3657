"""Publishing over HTTPS: `POST /api/admin/catalog` with the deploy token, and `lms publish`.

Every refusal is a clear 4xx: no token configured, a wrong or missing token, a body that is
not a .tar.gz, an archive with an unsafe path or a link, a bundle without its manifest or
with a lesson body missing, one larger than `LMS_PUBLISH_MAX_MB`.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from api_support import make_settings
from learning_support import Publisher
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.cli import publish_remote
from dynamic_api.learning.publish import pack
from paypal_sandbox.serve import serve_in_thread

TOKEN = "deploy-" + "x" * 40
GZIP = {"Content-Type": "application/gzip"}


@pytest.fixture
def deploy(tmp_path: Path, database_url: str) -> Callable[..., TestClient]:
    """A client of an API that accepts uploads with :data:`TOKEN`."""
    opened: list[TestClient] = []

    def make(**changes: object) -> TestClient:
        settings = make_settings(tmp_path, database_url, deploy_token=TOKEN, **changes)
        client = TestClient(create_app(settings)).__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def upload(client: TestClient, body: bytes, token: str = TOKEN) -> object:
    return client.post(
        "/api/admin/catalog", content=body, headers={**GZIP, "Authorization": f"Bearer {token}"}
    )


def tar_with(members: list[tarfile.TarInfo], data: bytes = b"x") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return buffer.getvalue()


@pytest.mark.all_databases
def test_upload_publishes_then_repeats_as_a_no_op(
    db_backend: str, deploy: Callable[..., TestClient], academy_bundle: dict[str, bytes]
) -> None:
    client = deploy()
    first = upload(client, pack(academy_bundle))
    assert first.status_code == 201, first.text
    assert first.json()["created"] is True
    again = upload(client, pack(academy_bundle))
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["version_id"] == first.json()["version_id"]
    assert "open-course" in [c["slug"] for c in client.get("/api/courses").json()["courses"]]


def test_uploads_are_refused_without_the_right_token(
    tmp_path: Path, database_url: str, deploy: Callable[..., TestClient], client: TestClient
) -> None:
    body = pack({"manifest.json": b"{}"})
    disabled = client.post("/api/admin/catalog", content=body, headers=GZIP)
    assert disabled.status_code == 403
    assert disabled.json()["error"]["code"] == "publishing_disabled"
    enabled = deploy()
    for token in ("", "wrong", TOKEN + "x"):
        refused = upload(enabled, body, token)
        assert refused.status_code == 401, token
        assert refused.json()["error"]["code"] == "invalid_deploy_token"
    no_header = enabled.post("/api/admin/catalog", content=body, headers=GZIP)
    assert no_header.status_code == 401


def test_bad_bundles_are_422_or_415(
    deploy: Callable[..., TestClient], academy_bundle: dict[str, bytes]
) -> None:
    client = deploy()
    wrong_type = client.post(
        "/api/admin/catalog",
        content=pack(academy_bundle),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    assert wrong_type.status_code == 415
    escaping = tarfile.TarInfo("../manifest.json")
    escaping.size = 1
    link = tarfile.TarInfo("lessons/link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    stray = tarfile.TarInfo("secrets.txt")
    stray.size = 1
    without_body = dict(academy_bundle)
    without_body.pop(next(p for p in academy_bundle if p.startswith("lessons/")))
    cases = {
        "not gzip": b"not an archive",
        "path escapes": tar_with([escaping]),
        "a link": tar_with([link]),
        "stray file": tar_with([stray]),
        "no manifest": pack({"lessons/a/b.html": b"<p>"}),
        "bad manifest": pack({"manifest.json": b'{"format": 1}'}),
        "missing body": pack(without_body),
    }
    for name, body in cases.items():
        response = upload(client, body)
        assert response.status_code == 422, name
        assert response.json()["error"]["code"] == "invalid_bundle", name
    assert client.get("/api/courses").json()["courses"] == []  # nothing half-published


def test_bundles_over_the_size_limit_are_refused(
    deploy: Callable[..., TestClient], academy_bundle: dict[str, bytes]
) -> None:
    client = deploy(publish_max_mb=1)
    compressible = dict(academy_bundle)
    compressible["media/open-course/big.bin"] = bytes(2 * 1024 * 1024)  # tiny once gzipped
    expands = upload(client, pack(compressible))
    assert expands.status_code == 422
    assert "larger than" in expands.json()["error"]["message"]
    random = dict(academy_bundle)
    random["media/open-course/big.bin"] = os.urandom(2 * 1024 * 1024)
    too_large = upload(client, pack(random))
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "payload_too_large"


def test_admins_list_the_versions(
    db_backend: str, publish: Publisher, admin: TestClient, student: TestClient
) -> None:
    first = publish()
    second = publish(lambda m: m["courses"].pop())
    items = admin.get("/api/admin/catalog").json()["items"]
    assert [i["id"] for i in items] == [second.version_id, first.version_id]
    assert [i["current"] for i in items] == [True, False]
    assert student.get("/api/admin/catalog").status_code == 403


def test_lms_publish_to_a_remote_api_over_http_on_loopback(
    tmp_path: Path, database_url: str, built_academy: object
) -> None:
    settings = make_settings(tmp_path, database_url, deploy_token=TOKEN)
    bundle = built_academy.private  # type: ignore[attr-defined]
    with serve_in_thread(create_app(settings)) as url:
        answer = publish_remote(url, TOKEN, bundle)
        assert answer["created"] is True
        with pytest.raises(click.ClickException, match="401"):
            publish_remote(url, "wrong", bundle)
    with pytest.raises(click.ClickException, match="https"):
        publish_remote("http://api.example.com", TOKEN, bundle)
