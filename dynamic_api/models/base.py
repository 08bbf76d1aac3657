"""What every table shares: constraint names and MariaDB table options.

Constraint names are fixed by a naming convention so migrations can refer to them on every
database (SQLite's batch mode rebuilds tables and needs names to drop or alter a constraint).

MariaDB tables are ``utf8mb4`` (emoji in names) with the *binary* collation ``utf8mb4_bin``:
the default ``utf8mb4_*_ci`` collations compare ``josé`` equal to ``jose``, which would make
the unique email index refuse a different address; binary comparison behaves like
PostgreSQL and SQLite. Case-insensitive email uniqueness comes from storing a lowercased
copy (``users.email_normalized``), not from a collation.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION
METADATA = SQLModel.metadata

#: ``__table_args__`` entries of every table (only MariaDB/MySQL read them).
TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}
