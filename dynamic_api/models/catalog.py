"""Published catalog versions: the private bundles that `lms publish` sent.

A version is the whole private bundle of one build (``manifest.json``, gated lesson bodies,
private media), stored as files whose content lives in ``catalog_blobs`` under its SHA-256, so
a republish stores only what changed. The current version is the newest row of
``catalog_versions``: a publish inserts its files and its version row in one transaction, so
every API process switches to it atomically when that transaction commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS

#: Blob bytes; MariaDB's BLOB stops at 64 KiB, so its LONGBLOB.
BLOB_TYPE = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


class CatalogVersion(SQLModel, table=True):
    __tablename__ = "catalog_versions"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    #: The manifest's content hash (the same content gives the same version).
    version: str = Field(max_length=64, index=True)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Who published: ``cli:<host user>`` for a local publish, ``token`` over HTTPS.
    published_by: str = Field(default="", max_length=200)
    file_count: int = 0
    total_bytes: int = Field(default=0, sa_type=sa.BigInteger)


class CatalogBlob(SQLModel, table=True):
    __tablename__ = "catalog_blobs"
    __table_args__ = (TABLE_OPTIONS,)

    sha256: str = Field(max_length=64, primary_key=True)
    size: int = Field(sa_type=sa.BigInteger)
    data: bytes = Field(sa_type=BLOB_TYPE)


class CatalogFile(SQLModel, table=True):
    __tablename__ = "catalog_files"
    __table_args__ = (TABLE_OPTIONS,)

    version_id: int = Field(foreign_key="catalog_versions.id", ondelete="CASCADE", primary_key=True)
    #: Relative to the bundle, e.g. ``lessons/<course>/<lesson>.html``.
    path: str = Field(max_length=500, primary_key=True)
    sha256: str = Field(max_length=64, foreign_key="catalog_blobs.sha256", index=True)
    size: int = Field(sa_type=sa.BigInteger)
