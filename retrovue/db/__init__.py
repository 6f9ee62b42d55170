"""Database access: engine factory, the unit of work (``Database.transaction``), ORM models."""

from retrovue.db.engine import Database, make_engine

__all__ = ["Database", "make_engine"]
