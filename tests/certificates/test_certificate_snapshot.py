"""The frozen snapshot: ids, URLs, validation, expiry, and its JSON form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from certificate_support import make_snapshot

from dynamic_api.certificates import (
    CertificateKind,
    CertificateSnapshot,
    expiry_date,
    new_certificate_id,
    verification_url,
)
from dynamic_api.certificates.snapshot import ID_PATTERN


def test_ids_are_unguessable_and_url_safe() -> None:
    ids = {new_certificate_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(ID_PATTERN.match(value) for value in ids)


def test_verification_url_points_at_the_static_page() -> None:
    assert (
        verification_url("https://learn.example.org/", "abc23")
        == "https://learn.example.org/certificates/verify/?id=abc23"
    )
    assert verification_url("https://x.org/school", "a b") == (
        "https://x.org/school/certificates/verify/?id=a%20b"
    )


def test_snapshot_is_frozen_and_hashable() -> None:
    snapshot = make_snapshot(instructors=["Ana", "Luis"])
    assert snapshot.instructors == ("Ana", "Luis")
    assert snapshot.kind is CertificateKind.course
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.student_name = "Someone else"  # type: ignore[misc]
    assert hash(snapshot) == hash(dataclasses.replace(snapshot))


def test_json_round_trip() -> None:
    snapshot = make_snapshot(
        kind="program", courses=("A", "B"), student_name="Begoña Ibáñez", language="es"
    )
    data = json.loads(json.dumps(snapshot.to_dict()))
    assert data["completed_on"] == "2026-03-14"
    assert data["kind"] == "program"
    assert CertificateSnapshot.from_dict(data) == snapshot
    assert CertificateSnapshot.from_dict({**data, "added_later": 1}) == snapshot
    no_expiry = make_snapshot(expires_on=None, hours=None)
    assert CertificateSnapshot.from_dict(no_expiry.to_dict()) == no_expiry


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"student_name": "  "}, "student's name"),
        ({"title": ""}, "title"),
        ({"id": "  "}, "id"),
        ({"kind": "diploma"}, "diploma"),
        ({"language": "spanish"}, "language"),
        ({"hours": -1}, "negative"),
        ({"expires_on": dt.date(2020, 1, 1)}, "expire before"),
    ],
)
def test_snapshot_rejects_what_would_print_a_broken_certificate(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_snapshot(**changes)


def test_expiry_date_and_is_expired() -> None:
    assert expiry_date(dt.date(2026, 3, 14), None) is None
    assert expiry_date(dt.date(2026, 3, 14), 3) == dt.date(2029, 3, 14)
    assert expiry_date(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    snapshot = make_snapshot(expires_on=dt.date(2029, 3, 14))
    assert not snapshot.is_expired(dt.date(2029, 3, 14))
    assert snapshot.is_expired(dt.date(2029, 3, 15))
    assert not make_snapshot(expires_on=None).is_expired(dt.date(2100, 1, 1))
