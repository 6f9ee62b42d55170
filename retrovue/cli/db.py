"""``retrovue db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json
from retrovue.db import migrate

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (default: to the newest)."""
    database = get_context(ctx).database(migrate=False)
    migrate.upgrade(database, revision)
    typer.echo(f"database at {migrate.current_revision(database) or 'base'}")


@app.command("downgrade")
def downgrade_cmd(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")],
) -> None:
    """Downgrade the database schema to REVISION."""
    database = get_context(ctx).database(migrate=False)
    migrate.downgrade(database, revision)
    typer.echo(f"database at {migrate.current_revision(database) or 'base'}")


@app.command("current")
def current_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the schema revision of the database and the newest one."""
    database = get_context(ctx).database(migrate=False)
    current = migrate.current_revision(database)
    head = migrate.head_revision(database)
    if as_json:
        emit_json({"current": current, "head": head, "up_to_date": current == head})
    else:
        typer.echo(f"current: {current or 'base'}  head: {head}")
