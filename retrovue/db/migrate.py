"""Alembic driven from code: upgrade, downgrade, current, and "upgrade if needed"."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from retrovue.db.engine import Database
from retrovue.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database: Database) -> Config:
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise DatabaseError(f"migrations folder not found at {MIGRATIONS_DIR}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = database.engine
    return config


def head_revision(database: Database) -> str:
    script = ScriptDirectory.from_config(alembic_config(database))
    head = script.get_current_head()
    if head is None:
        raise DatabaseError("no migrations found")
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(database: Database, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(database), revision)
    except CommandError as err:
        raise DatabaseError(f"cannot upgrade to {revision!r}: {err}") from err


def downgrade(database: Database, revision: str) -> None:
    try:
        command.downgrade(alembic_config(database), revision)
    except CommandError as err:
        raise DatabaseError(f"cannot downgrade to {revision!r}: {err}") from err


def ensure_current(database: Database) -> None:
    """Upgrade a database that is behind; refuse one that is ahead of this code."""
    current = current_revision(database)
    head = head_revision(database)
    if current == head:
        return
    script = ScriptDirectory.from_config(alembic_config(database))
    if current is not None and script.get_revision(current) is None:
        raise DatabaseError(
            f"database schema {current} is newer than this RetroVue; upgrade RetroVue"
        )
    upgrade(database, "head")
