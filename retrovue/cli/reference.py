"""The CLI reference in Markdown, generated from the command tree itself.

``docs/cli.md`` is this output; a test regenerates it and compares, so the reference never drifts
from the code. Regenerate with ``python -m retrovue.cli.reference > docs/cli.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from retrovue.cli.main import app

HEADER = (
    "# CLI reference\n\n"
    "Generated from the code by `python -m retrovue.cli.reference > docs/cli.md`; a test keeps it\n"
    "current. Global options (`--config FILE`, `--debug`, `--version`) go before the command.\n"
    "Every error is one line on stderr and exit code 2.\n"
)


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path, command
        return
    if path:
        yield path, command
    for name in sorted(subcommands):
        sub = subcommands[name]
        if not getattr(sub, "hidden", False):
            yield from _walk(sub, [*path, name])


def _usage(command: Any, path: list[str], parent_ctx: Any) -> str:
    ctx = type(parent_ctx)(command, info_name=path[-1], parent=parent_ctx)
    pieces = " ".join(command.collect_usage_pieces(ctx))
    return f"retrovue {' '.join(path)} {pieces}".rstrip()


def _options(command: Any, ctx: Any) -> list[str]:
    lines = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or record[0].startswith("--help"):
            continue
        names, help_text = record
        lines.append(f"| `{names}` | {help_text.replace('|', '/').strip()} |")
    return lines


def _section(command: Any, path: list[str], root_ctx: Any) -> list[str]:
    ctx = type(root_ctx)(command, info_name=path[-1], parent=root_ctx)
    title = "#" * min(4, len(path) + 1)
    lines = [f"{title} `retrovue {' '.join(path)}`", ""]
    help_text = (command.help or "").strip()
    if help_text:
        lines += [help_text.split("\n\n")[0].replace("\n", " "), ""]
    if getattr(command, "commands", None) is None:
        lines += ["```", _usage(command, path, root_ctx), "```", ""]
        options = _options(command, ctx)
        if options:
            lines += ["| option / argument | meaning |", "|---|---|", *options, ""]
    return lines


def render_reference() -> str:
    root = typer.main.get_command(app)
    root_ctx = root.make_context("retrovue", [], resilient_parsing=True)
    lines = [HEADER]
    for path, command in _walk(root, []):
        lines += _section(command, path, root_ctx)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_reference(), end="")
