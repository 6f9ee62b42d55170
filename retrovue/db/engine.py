"""Engine factory: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from retrovue.errors import DatabaseError
from retrovue.logs import hide_url_password

SQLITE_BUSY_TIMEOUT_MS = 15000


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as err:  # ValueError: a port that is not a number
        shown = hide_url_password(url)
        raise DatabaseError(
            f"invalid database URL {shown!r}: {hide_url_password(str(err))}"
        ) from err
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise DatabaseError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    return parsed


def describe_url(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().parent
            if not folder.is_dir():
                raise DatabaseError(f"SQLite folder {folder} does not exist")
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(parsed, connect_args=connect_args)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "connect", _disable_pysqlite_transactions, insert=True)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so BEGIN is explicit.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine and its sessions. ``transaction()`` is the unit of work."""

    def __init__(self, url: str) -> None:
        self.url = parse_url(url)
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check(self) -> None:
        """Connect once; turn an unreachable server into a one-line :class:`DatabaseError`."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as err:
            reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
            raise DatabaseError(
                f"cannot connect to {describe_url(self.url)}: {reason} "
                "(is the server running and the URL right?)"
            ) from err

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Session]:
        """Commit once on success, roll back on any error, always close.

        ``immediate`` takes SQLite's write lock at the start, so two writers queue instead of
        failing half-way; on PostgreSQL it changes nothing.
        """
        session = (self._write_sessions if immediate else self._sessions)()
        try:
            with session.begin():
                yield session
        except OperationalError as err:
            raise DatabaseError(f"database error: {str(err.orig or err).splitlines()[0]}") from err
        except SQLAlchemyError:
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
