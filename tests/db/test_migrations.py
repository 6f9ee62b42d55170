"""The one Alembic tree goes up, down and up again, and agrees with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from retrovue.db import Database
from retrovue.db.migrate import current_revision, downgrade, head_revision, upgrade
from retrovue.db.models import Base


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    database = Database(db_url)
    try:
        upgrade(database)
        assert current_revision(database) == head_revision(database)
        assert _tables(database) == set(Base.metadata.tables)
        downgrade(database, "base")
        assert current_revision(database) is None
        assert _tables(database) == set()
        upgrade(database)
        assert _tables(database) == set(Base.metadata.tables)
    finally:
        database.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    database = Database(db_url)
    try:
        upgrade(database)
        with database.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        database.dispose()
