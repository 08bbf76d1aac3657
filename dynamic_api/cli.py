"""``lms db …`` and ``lms user …``: the database and its accounts from the command line.

Registered on the ``lms`` group in ``site_builder/cli.py``. Heavy imports happen inside the
commands, so ``lms check`` and ``lms build`` do not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from site_builder.settings import Settings

ROLE_CHOICE = click.Choice(["admin", "instructor", "moderator", "student"])


def _settings() -> Settings:
    from site_builder.settings import get_settings

    return get_settings()


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """The database, upgraded first when ``LMS_AUTO_MIGRATE`` allows it (as the API does)."""
    from dynamic_api.db import engine_for
    from dynamic_api.migrate import auto_migrate, current_revision, head_revision

    engine = engine_for(settings)
    try:
        auto_migrate(settings, engine)
        current = current_revision(engine)
        if current != head_revision():
            raise click.ClickException(
                f"The database schema is at revision {current or 'none'}, the code expects "
                f"{head_revision()}: run `lms db upgrade` first."
            )
        yield engine
    finally:
        engine.dispose()


def _fail(exc: Exception) -> click.ClickException:
    from dynamic_api.errors import ApiError

    if isinstance(exc, ApiError):
        details = "; ".join(f"{field}: {text}" for field, text in exc.fields.items())
        return click.ClickException(f"{exc.message} {details}".strip())
    return click.ClickException(str(exc))


# --- lms db --------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """Database schema migrations (Alembic) for LMS_DATABASE_URL."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: the latest)."""
    from dynamic_api import migrate
    from dynamic_api.db import safe_url

    url = _settings().effective_database_url()
    migrate.upgrade(url, revision)
    click.secho(f"{safe_url(url)} upgraded to {revision}.", fg="green", err=True)


@db.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (default: one step back; `base`: empty)."""
    from dynamic_api import migrate
    from dynamic_api.db import safe_url

    url = _settings().effective_database_url()
    migrate.downgrade(url, revision)
    click.secho(f"{safe_url(url)} downgraded to {revision}.", fg="yellow", err=True)


@db.command()
def current() -> None:
    """Show the schema's revision and the latest one the code knows."""
    from dynamic_api import migrate
    from dynamic_api.db import engine_for

    engine = engine_for(_settings())
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    click.echo(f"current: {revision or 'none (empty database)'}")
    click.echo(f"latest:  {head}")
    if revision != head:
        click.secho("Run `lms db upgrade` to bring the schema up to date.", fg="yellow", err=True)


@db.command()
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--autogenerate", is_flag=True, help="Draft it from the models' differences.")
def revision(message: str, autogenerate: bool) -> None:
    """Create a new migration script in migrations/versions/."""
    from alembic import command

    from dynamic_api import migrate

    config = migrate.alembic_config(_settings().effective_database_url())
    command.revision(config, message=message, autogenerate=autogenerate)


@db.command("prune-sessions")
@click.option("--days", default=30, show_default=True, help="Keep ended sessions this long.")
def prune_sessions(days: int) -> None:
    """Delete sessions that expired or were revoked more than DAYS ago."""
    from datetime import timedelta

    from dynamic_api.db import session_scope
    from dynamic_api.sessions import prune_sessions as prune

    with _engine(_settings()) as engine, session_scope(engine) as session:
        count = prune(session, timedelta(days=days))
    click.echo(f"Deleted {count} session(s).")


# --- lms user ------------------------------------------------------------------------------


@click.group()
def user() -> None:
    """Accounts and roles (admin, instructor, moderator; everyone is a student)."""


@user.command()
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted (keeps it out of the shell history).",
)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, help="Repeat for several.")
@click.option(
    "--instructor", "instructor_slug", help="Instructor slug (implies --role instructor)."
)
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option(
    "--verified/--unverified", default=True, show_default=True, help="Mark the email confirmed."
)
def create(
    email: str,
    name: str,
    password: str,
    roles: tuple[str, ...],
    instructor_slug: str | None,
    language: str,
    verified: bool,
) -> None:
    """Create an account, e.g. the first admin: lms user create --email … --role admin."""
    from dynamic_api import accounts
    from dynamic_api.db import session_scope
    from dynamic_api.fields import SLUG_RE, check_email, check_name
    from dynamic_api.passwords import Passwords, password_problem

    settings = _settings()
    try:
        email = check_email(email)
        name = check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    problem = password_problem(password, email)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if instructor_slug is not None:
        if not SLUG_RE.match(instructor_slug):
            raise click.BadParameter("a slug like ana-morales", param_hint="--instructor")
        roles = (*roles, "instructor")
    password_hash = Passwords(settings).hash(password)
    with _engine(settings) as engine:
        try:
            with session_scope(engine) as session:
                created = accounts.create_user(
                    session,
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    language=language,
                    roles=roles,
                    instructor_slug=instructor_slug,
                    verified=verified,
                )
                found = accounts.account(session, created)
        except Exception as exc:
            raise _fail(exc) from None
    click.secho(
        f"Created user {found.id} <{found.email}> with roles {', '.join(sorted(found.roles))}.",
        fg="green",
    )


@user.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option("--remove", is_flag=True, help="Take the role away instead of giving it.")
def set_role(email: str, role: str, remove: bool) -> None:
    """Give a user a role (or take it away with --remove)."""
    from dynamic_api import accounts
    from dynamic_api.auth import roles_of
    from dynamic_api.db import session_scope

    if role == "student":
        raise click.BadParameter(
            "everyone is a student; it cannot be given or taken", param_hint="--role"
        )
    with _engine(_settings()) as engine:
        try:
            with session_scope(engine) as session:
                found = accounts.find_by_email(session, email)
                if found is None or found.id is None or found.deleted_at is not None:
                    raise click.ClickException(f"No user has the email address {email}.")
                wanted = set(roles_of(session, found.id))
                if remove:
                    wanted.discard(role)
                else:
                    wanted.add(role)
                # update_user keeps the last admin; the CLI acts as nobody in particular.
                accounts.update_user(session, 0, found.id, roles=wanted)
                roles = roles_of(session, found.id)
                email = found.email
        except click.ClickException:
            raise
        except Exception as exc:
            raise _fail(exc) from None
    click.secho(f"{email}: {', '.join(sorted(roles))}.", fg="green")


@user.command("list")
@click.option("--role", type=ROLE_CHOICE, help="Only users with this role.")
@click.option("--search", default="", help="Text to find in names and email addresses.")
@click.option("--limit", default=100, show_default=True)
def list_users(role: str | None, search: str, limit: int) -> None:
    """List users, newest first: id, email, name, roles, and flags."""
    from dynamic_api import accounts
    from dynamic_api.db import session_scope

    with _engine(_settings()) as engine, session_scope(engine) as session:
        page = accounts.list_users(session, query=search, role=role, page=1, per_page=limit)
    for found, roles in page.users:
        flags = [] if found.verified else ["unverified"]
        if not found.is_active:
            flags.append("disabled")
        if found.instructor_slug:
            flags.append(f"instructor:{found.instructor_slug}")
        click.echo(
            f"{found.id}\t{found.email}\t{found.name}\t{','.join(sorted(roles))}"
            + (f"\t{' '.join(flags)}" if flags else "")
        )
    click.echo(f"{len(page.users)} of {page.total} user(s).", err=True)
