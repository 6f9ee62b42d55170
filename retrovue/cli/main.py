"""The ``retrovue`` command: global options, command groups, and error mapping."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from retrovue import __version__
from retrovue.cli import admin as admin_commands
from retrovue.cli import asrun as asrun_commands
from retrovue.cli import assets as asset_commands
from retrovue.cli import catalog as catalog_commands
from retrovue.cli import channels as channel_commands
from retrovue.cli import db as db_commands
from retrovue.cli import director as director_commands
from retrovue.cli import doctor as doctor_command
from retrovue.cli import guide as guide_commands
from retrovue.cli import schedule as schedule_commands
from retrovue.cli import schedule_build, sources_jellyfin, sources_plex
from retrovue.cli import serve as serve_command
from retrovue.cli import sources as source_commands
from retrovue.cli import templates as template_commands
from retrovue.cli.context import CliContext
from retrovue.config import load_settings
from retrovue.errors import RetrovueError
from retrovue.logs import hide_url_password

app = typer.Typer(
    name="retrovue",
    help="RetroVue: linear TV channels from your media library, served as an HDHomeRun tuner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
sources_plex.register(source_commands.app, source_commands.add_app)
sources_jellyfin.register(source_commands.add_app)
app.add_typer(source_commands.app, name="source")
app.add_typer(asset_commands.app, name="assets")
app.add_typer(catalog_commands.app, name="catalog")
app.add_typer(channel_commands.app, name="channel")
app.add_typer(template_commands.app, name="template")
schedule_build.register(schedule_commands.app)
app.add_typer(schedule_commands.app, name="schedule")
app.add_typer(asrun_commands.app, name="asrun")
app.add_typer(director_commands.app, name="director")
app.add_typer(guide_commands.app, name="guide")
app.add_typer(admin_commands.app, name="admin")
app.command("serve")(serve_command.serve)
app.command("doctor")(doctor_command.doctor)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"retrovue {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings file.", envvar=None)
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Global options apply to every command."""
    _STATE["debug"] = debug
    ctx.obj = CliContext(settings=load_settings(config), debug=debug)
    ctx.call_on_close(ctx.obj.close)


_STATE: dict[str, bool] = {"debug": False}


def main(argv: list[str] | None = None) -> None:
    """Entry point: every RetrovueError is one line on stderr and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    _STATE["debug"] = "--debug" in args
    sys.exit(run_cli(args))


def run_cli(args: list[str]) -> int:
    """Run one command line; its exit code (errors already reported on stderr)."""
    try:
        code = app(args=args, prog_name="retrovue", standalone_mode=False)
    except RetrovueError as err:
        if _STATE["debug"]:
            raise
        typer.echo(f"error: {hide_url_password(err.message)}", err=True)
        return err.exit_code
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as err:  # usage errors: Click's own message, exit 2
        show = getattr(err, "show", None)
        if callable(show):
            show()
        return int(getattr(err, "exit_code", 2))
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as err:  # the one edge where anything unexpected becomes a message
        if _STATE["debug"]:
            raise
        text = hide_url_password(str(err))
        typer.echo(f"error: unexpected {type(err).__name__}: {text} (run with --debug)", err=True)
        return 1
    return code if isinstance(code, int) else 0
