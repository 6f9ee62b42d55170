"""Throwaway databases for tests and benchmarks: a SQLite file, or a private PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from retrovue.db import Database
from retrovue.db.migrate import alembic_config
from retrovue.db.models import Base

PG_URL_ENV = "RETROVUE_TEST_DATABASE_URL"
PG_SKIP_REASON = f"PostgreSQL tests need {PG_URL_ENV} (e.g. postgresql://root@127.0.0.1:5432/test)"


def postgres_base_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


def schema_url(base_url: str, schema: str) -> str:
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def create_schema_fast(database: Database) -> None:
    """Create the schema from the models and stamp it at head (the migrations are tested apart)."""
    Base.metadata.create_all(database.engine)
    command.stamp(alembic_config(database), "head")


@contextmanager
def sqlite_database(folder: Path, *, create: bool = True) -> Iterator[Database]:
    database = Database(f"sqlite:///{folder / 'retrovue.db'}")
    if create:
        create_schema_fast(database)
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def postgres_schema_url(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test or run; dropped afterwards."""
    schema = f"rv_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(Database(base_url).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(base_url, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database(base_url: str, *, create: bool = True) -> Iterator[Database]:
    with postgres_schema_url(base_url) as url:
        database = Database(url)
        if create:
            create_schema_fast(database)
        try:
            yield database
        finally:
            database.dispose()
