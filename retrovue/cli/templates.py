"""``retrovue template``: day-part templates and their rule blocks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from retrovue.broadcast.admin.templates import (
    add_block,
    add_template,
    remove_block,
    remove_template,
)
from retrovue.broadcast.templates import BlockInfo, TemplateInfo, read_template, read_templates
from retrovue.broadcast.timeparse import parse_block_duration, parse_hhmm
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.cli.params import load_json
from retrovue.errors import ValidationError

app = typer.Typer(
    help="Day-part templates: one broadcast day of rule blocks.", no_args_is_help=True
)
block_app = typer.Typer(help="Blocks of a template: start, duration, rule.", no_args_is_help=True)
app.add_typer(block_app, name="block")

NameArg = Annotated[str, typer.Argument(help="Template name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
StartOpt = Annotated[str, typer.Option("--start", help="Local start time HH:MM.")]
_BLOCK_COLUMNS = ("start", "end", "duration", "name", "rule")


def _block_row(block: BlockInfo) -> dict[str, object]:
    row = block.to_dict()
    row["rule"] = json.dumps(block.rule_json, ensure_ascii=False)
    return row


def _summary_row(template: TemplateInfo) -> dict[str, object]:
    minutes = sum(block.duration_minutes for block in template.blocks)
    return {
        "name": template.name,
        "blocks": len(template.blocks),
        "covered": f"{minutes // 60}h{minutes % 60:02d}m",
        "channels": template.assigned_channels,
    }


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: NameArg,
    description: Annotated[str | None, typer.Option("--description", help="Free text.")] = None,
) -> None:
    """Add an empty template."""
    cli = get_context(ctx)
    template = add_template(cli.database(), cli.clock, name, description)
    typer.echo(f"added template {template.name!r}")


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List templates."""
    templates = read_templates(get_context(ctx).database())
    if as_json:
        emit_json([template.to_dict() for template in templates])
    else:
        emit_table([_summary_row(t) for t in templates], ("name", "blocks", "covered", "channels"))


@app.command("show")
def show_cmd(ctx: typer.Context, name: NameArg, as_json: JsonOpt = False) -> None:
    """Show a template with its blocks."""
    template = read_template(get_context(ctx).database(), name)
    if as_json:
        emit_json(template.to_dict())
        return
    emit_fields(
        {
            "name": template.name,
            "description": template.description,
            "channels": template.assigned_channels,
        }
    )
    typer.echo("")
    emit_table([_block_row(block) for block in template.blocks], _BLOCK_COLUMNS)


@app.command("remove")
def remove_cmd(ctx: typer.Context, name: NameArg) -> None:
    """Remove a template and its blocks (refused while assigned to a channel)."""
    remove_template(get_context(ctx).database(), name)
    typer.echo(f"removed template {name!r}")


def _load_rule(rule: str | None, rule_file: Path | None) -> object:
    if (rule is None) == (rule_file is None):
        raise ValidationError("give exactly one of --rule JSON or --rule-file FILE")
    if rule_file is not None:
        try:
            rule = rule_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise ValidationError(f"--rule-file: cannot read {str(rule_file)!r}: {err}") from err
    assert rule is not None
    return load_json(rule, "rule_json")


@block_app.command("add")
def block_add_cmd(
    ctx: typer.Context,
    template: NameArg,
    start: StartOpt,
    duration: Annotated[str, typer.Option("--duration", help="Length: 30m, 1h30m, 24h ...")],
    rule: Annotated[str | None, typer.Option("--rule", help="rule_json (docs/rules.md).")] = None,
    rule_file: Annotated[
        Path | None, typer.Option("--rule-file", help="File holding the rule_json.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Block name.")] = None,
) -> None:
    """Add a block to a template."""
    cli = get_context(ctx)
    block = add_block(
        cli.database(),
        cli.clock,
        template,
        start_minutes=parse_hhmm(start, option="--start"),
        duration_minutes=parse_block_duration(duration),
        rule_json=_load_rule(rule, rule_file),
        name=name,
    )
    row = block.to_dict()
    typer.echo(
        f"added block {row['start']}-{row['end']} to {template!r}: {json.dumps(block.rule_json)}"
    )


@block_app.command("list")
def block_list_cmd(ctx: typer.Context, template: NameArg, as_json: JsonOpt = False) -> None:
    """List the blocks of a template."""
    blocks = read_template(get_context(ctx).database(), template).blocks
    if as_json:
        emit_json([block.to_dict() for block in blocks])
    else:
        emit_table([_block_row(block) for block in blocks], _BLOCK_COLUMNS)


@block_app.command("remove")
def block_remove_cmd(ctx: typer.Context, template: NameArg, start: StartOpt) -> None:
    """Remove the block that starts at --start."""
    cli = get_context(ctx)
    block = remove_block(cli.database(), cli.clock, template, parse_hhmm(start, option="--start"))
    row = block.to_dict()
    typer.echo(f"removed block {row['start']}-{row['end']} from {template!r}")
