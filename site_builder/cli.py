"""The `lms` command: scaffold, check, build, serve, run the API, export schemas.

Exit codes CI can trust: 0 success, 1 content problems or a failed build, 2 usage errors
(click's own).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from pathlib import Path

import click
from slugify import slugify

from dynamic_api import cli as api_cli
from dynamic_api.payments import cli as payments_cli

from .problems import ContentError
from .settings import Settings, get_settings


def _settings() -> Settings:
    return get_settings()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
def main(verbose: bool) -> None:
    """Author, build and serve a static-site learning platform.

    Content lives in content/ as Markdown + YAML; settings come from LMS_* environment
    variables (or a .env file). See README.md.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
def check() -> None:
    """Check every content file; list every problem with file:line and a hint."""
    from .build import check as run_check

    settings = _settings()
    academy, problems = run_check(settings)
    if problems:
        for problem in problems.sorted():
            click.echo(problem.format(Path.cwd()), err=True)
        click.secho(f"{len(problems)} problem(s) found.", fg="red", err=True)
        sys.exit(1)
    lessons = sum(len(c.lessons) for c in academy.courses)
    click.secho(
        f"OK: {len(academy.courses)} courses, {lessons} lessons, "
        f"{len(academy.masterclasses)} master classes, {len(academy.instructors)} instructors.",
        fg="green",
    )


def _run_build(settings: Settings, publish: bool = False) -> bool:
    from rich.console import Console

    from .build import build

    console = Console(stderr=True)
    try:
        with console.status("Building the site…"):
            result = build(settings, publish=publish)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(problem.format(Path.cwd()), err=True)
        click.secho(
            f"Build refused: {len(exc.problems)} problem(s); output/ left unchanged.",
            fg="red",
            err=True,
        )
        return False
    except Exception as exc:  # a theme or Pelican failure: report, keep the old output
        click.secho(f"Build failed: {exc}; output/ left unchanged.", fg="red", err=True)
        logging.getLogger(__name__).debug("build failure", exc_info=True)
        return False
    click.secho(
        f"Built {result.output_dir}/ in {result.seconds:.2f}s "
        f"({result.pages_rendered} pages rendered, {result.pages_reused} reused); "
        f"private bundle in {result.private_dir}/.",
        fg="green",
        err=True,
    )
    return True


@main.command()
@click.option("--publish", is_flag=True, help="Use publishconf.py (absolute URLs).")
def build(publish: bool) -> None:
    """Check the content and build the site into output/ (and the private bundle)."""
    if not _run_build(_settings(), publish=publish):
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-watch", is_flag=True, help="Build once; do not rebuild on changes.")
def serve(host: str, port: int, no_watch: bool) -> None:
    """Build, then serve the site and the API on one port; rebuild and reload on change."""
    import uvicorn

    from .serve import LiveReload, create_serve_app

    settings = _settings().model_copy(update={"live_reload": not no_watch})
    built = _run_build(settings)
    if not built and not settings.output_dir.is_dir():
        sys.exit(1)
    if built:
        _publish(settings)
    live = None if no_watch else LiveReload()
    with contextlib.ExitStack() as stack:
        sandbox_url = None
        if not settings.paypal_base_url:  # payments against the bundled PayPal-compatible server
            from dynamic_api.payments.wiring import bundled_sandbox

            sandbox_url = stack.enter_context(bundled_sandbox(settings, host, port))
            click.secho(f"PayPal-compatible sandbox on {sandbox_url}", fg="cyan", err=True)
        app = create_serve_app(settings, settings.output_dir, live, paypal_sandbox_url=sandbox_url)
        if live is not None:
            watcher = threading.Thread(target=_watch, args=(settings, live, app), daemon=True)
            watcher.start()
        click.secho(f"Serving http://{host}:{port}/  (API at /api/health)", fg="cyan", err=True)
        # An open live-reload stream would otherwise keep Ctrl+C waiting for it to close.
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)


def _publish(settings: Settings) -> bool:
    """Publish the fresh build to the local API's database (as `lms publish` does)."""
    try:
        result = api_cli.publish_local(settings)
    except Exception as exc:  # the site still serves; the API keeps the previous version
        click.secho(f"Publishing to the API failed: {exc}", fg="red", err=True)
        logging.getLogger(__name__).debug("publish failure", exc_info=True)
        return False
    if result.created:
        click.secho(f"Published catalog version {result.version} to the API.", fg="green", err=True)
    return True


def _watch(settings: Settings, live: object, app: object) -> None:
    """Rebuild when content or theme changes, publish, then tell open pages to reload."""
    from watchfiles import watch

    folders = [settings.content_dir, settings.theme, Path(settings.pelican_settings)]
    for _changes in watch(*[p for p in folders if p.exists()]):
        click.echo("Change detected, rebuilding…", err=True)
        if _run_build(settings):
            if _publish(settings):
                app.state.api.state.catalog.forget()  # type: ignore[attr-defined]
            live.notify()  # type: ignore[attr-defined]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def api(host: str, port: int, workers: int) -> None:
    """Run the API alone under uvicorn: the production entry point."""
    import uvicorn

    uvicorn.run(
        "dynamic_api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder for the JSON Schema files.",
)
def schema(out: Path) -> None:
    """Export JSON Schemas of every front matter, for editor completion and checks."""
    from .schemas import write_schemas

    for path in write_schemas(out):
        click.echo(str(path))


@main.group()
def new() -> None:
    """Scaffold new content."""


@new.command("course")
@click.argument("title")
@click.option("--instructor", default=None, help="Instructor slug (created if missing).")
@click.option("--slug", default=None, help="Folder name; default from the title.")
def new_course(title: str, instructor: str | None, slug: str | None) -> None:
    """Create a valid course skeleton under content/courses/<slug>/."""
    from .scaffold import scaffold_course

    settings = _settings()
    try:
        created = scaffold_course(settings.content_dir, title, slug or slugify(title), instructor)
    except FileExistsError as exc:
        raise click.ClickException(f"{exc} already exists; choose another --slug") from exc
    for path in created:
        click.echo(f"created {path}")
    click.secho("Next: edit the files, then run `lms check`.", fg="green")


@main.command("paypal-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Keep it on loopback.")
@click.option("--port", default=8790, show_default=True, type=int)
@click.option("--webhook-url", default="", help="Where the sandbox POSTs webhook events.")
def paypal_sandbox(host: str, port: int, webhook_url: str) -> None:
    """Run the PayPal-compatible server for development and demos (docs/payments.md).

    It accepts LMS_PAYPAL_CLIENT_ID/SECRET and LMS_PAYPAL_WEBHOOK_ID when set, so the API
    configured with LMS_PAYPAL_BASE_URL=http://HOST:PORT talks to it unchanged.
    """
    from paypal_sandbox import SandboxConfig
    from paypal_sandbox.serve import serve

    settings = _settings()
    config = SandboxConfig(webhook_url=webhook_url)
    if settings.paypal_client_id and settings.paypal_client_secret is not None:
        config.client_id = settings.paypal_client_id
        config.client_secret = settings.paypal_client_secret.get_secret_value()
    if settings.paypal_webhook_id:
        config.webhook_id = settings.paypal_webhook_id
    serve(config, host=host, port=port)


main.add_command(api_cli.db)
main.add_command(api_cli.user)
main.add_command(api_cli.publish)
main.add_command(payments_cli.coupon)
main.add_command(payments_cli.order)

if __name__ == "__main__":  # pragma: no cover
    main()
