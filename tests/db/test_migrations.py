"""The one Alembic tree goes up, down and up again, and agrees with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_sources_survive_the_sync_policy_migration(db_url: str) -> None:
    """0001 -> head keeps existing sources (manual, never synced) and admits the new kinds;
    going back drops only the sources 0001 cannot hold."""
    database = Database(db_url)
    try:
        upgrade(database, "0001_v1")
        insert = (
            "INSERT INTO library_source (name, kind, settings, is_filler, tags, enabled, "
            "created_utc, updated_utc) VALUES (:name, :kind, '{}', false, '[]', true, "
            "'2026-03-02 12:00:00', '2026-03-02 12:00:00')"
        )
        with database.engine.begin() as conn:
            conn.execute(text(insert), {"name": "home", "kind": "plex"})
        upgrade(database)
        with database.engine.begin() as conn:
            row = conn.execute(
                text("SELECT kind, sync_every_s, sync_at, last_sync_result FROM library_source")
            ).one()
            assert tuple(row) == ("plex", None, None, None)
            conn.execute(text(insert), {"name": "den", "kind": "jellyfin"})
        downgrade(database, "0001_v1")
        with database.engine.begin() as conn:
            names = conn.execute(text("SELECT name FROM library_source")).scalars().all()
        assert names == ["home"]
    finally:
        database.dispose()
