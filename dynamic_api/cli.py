"""``lms db …``, ``lms user …`` and ``lms publish``: the database, its accounts and the
published catalog from the command line.

Registered on the ``lms`` group in ``site_builder/cli.py``. Heavy imports happen inside the
commands, so ``lms check`` and ``lms build`` do not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from dynamic_api.learning.publish import PublishResult
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


# --- lms publish -----------------------------------------------------------------------------


def publish_local(settings: Settings, bundle: Path | None = None) -> PublishResult:
    """Store the private bundle in the API's own database (what `lms serve` does)."""
    import getpass

    from dynamic_api.db import session_scope
    from dynamic_api.learning.publish import publish_files, read_bundle_dir

    files = read_bundle_dir(bundle or settings.private_bundle_dir)
    with _engine(settings) as engine, session_scope(engine) as session:
        return publish_files(session, files, published_by=f"cli:{getpass.getuser()}")


def _is_loopback(host: str) -> bool:
    return host in {"localhost", "127.0.0.1", "::1", "[::1]"}


def publish_remote(url: str, token: str, bundle: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Upload the bundle to ``POST {url}/api/admin/catalog`` with the deploy token."""
    from urllib.parse import urlsplit

    import httpx

    from dynamic_api.learning.publish import pack, read_bundle_dir

    parts = urlsplit(url)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and _is_loopback(parts.hostname or "")
    ):
        raise click.ClickException("Publish over https:// (plain http only to localhost).")
    archive = pack(read_bundle_dir(bundle))
    response = httpx.post(
        url.rstrip("/") + "/api/admin/catalog",
        content=archive,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/gzip"},
        timeout=timeout,
    )
    if response.status_code not in (200, 201):
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        raise click.ClickException(
            f"The API refused the bundle ({response.status_code}): {message}"
        )
    result: dict[str, Any] = response.json()
    return result


@click.command()
@click.option(
    "--to",
    "url",
    default="",
    envvar="LMS_PUBLISH_URL",
    help="The API's base URL (https://api.example.com); default: this machine's database.",
)
@click.option(
    "--bundle",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The private bundle folder (default: var/site from the last `lms build`).",
)
def publish(url: str, bundle: Path | None) -> None:
    """Publish the last build's private bundle to the API as the new catalog version."""
    from dynamic_api.learning.publish import BundleError

    settings = _settings()
    folder = bundle or settings.private_bundle_dir
    try:
        if url:
            token = settings.deploy_token.get_secret_value() if settings.deploy_token else ""
            if not token:
                raise click.ClickException("Set LMS_DEPLOY_TOKEN to publish to a remote API.")
            answer = publish_remote(url, token, folder)
            created, version = bool(answer.get("created")), str(answer.get("version"))
        else:
            result = publish_local(settings, folder)
            created, version = result.created, result.version
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    where = url or "the local database"
    if created:
        click.secho(f"Published catalog version {version} to {where}.", fg="green", err=True)
    else:
        click.echo(f"Catalog version {version} is already current on {where}.", err=True)
