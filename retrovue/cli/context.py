"""What every command receives: settings, the clock, and (lazily) the database."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from retrovue.clock import Clock, SystemClock
from retrovue.config import Settings
from retrovue.db import Database


@dataclass
class CliContext:
    settings: Settings
    debug: bool = False
    clock: Clock = field(default_factory=SystemClock)
    _database: Database | None = None

    def database(self, *, migrate: bool = True) -> Database:
        """The station database, upgraded to the current schema when needed."""
        if self._database is None:
            from retrovue.db.migrate import ensure_current

            self.settings.ensure_data_dir()
            database = Database(self.settings.effective_database_url)
            database.check()
            if migrate:
                ensure_current(database)
            self._database = database
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def get_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        raise RuntimeError("CLI context missing")
    return obj
