"""``retrovue admin``: the operator's access to the station's pages and API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.errors import ValidationError
from retrovue.web.auth import generate_password, save_password

app = typer.Typer(help="Operator access to the web pages and API.", no_args_is_help=True)


@app.command("password")
def password_cmd(
    ctx: typer.Context,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a random password and print it (once).")
    ] = False,
    from_stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the password from standard input (one line).")
    ] = False,
) -> None:
    """Set the operator password (asked twice), stored hashed in the data directory.

    Only the operator may change the station from the web: review, promotion. The new password
    applies at once, also to a running server.
    """
    cli = get_context(ctx)
    data_dir = cli.settings.ensure_data_dir()
    if generate:
        password = generate_password()
    elif from_stdin:
        try:
            password = sys.stdin.readline().rstrip("\r\n")
        except OSError as err:  # no standard input to read (closed, or not readable)
            raise ValidationError(f"--stdin: cannot read standard input: {err}") from err
    elif not sys.stdin.isatty():
        raise ValidationError("no terminal to ask the password on: use --stdin or --generate")
    else:
        password = typer.prompt("Operator password", hide_input=True, confirmation_prompt=True)
    path = save_password(data_dir, password)
    if generate:
        typer.echo(password)
    typer.echo(f"operator password stored (hashed) in {path}", err=True)
