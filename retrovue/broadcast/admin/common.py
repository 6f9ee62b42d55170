"""Helpers shared by the admin services."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retrovue.errors import ConflictError, ValidationError
from retrovue.text import name_problem


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush now, so a unique-key race (another writer won) becomes a clean ConflictError."""
    try:
        session.flush()
    except IntegrityError as err:
        raise ConflictError(message) from err


def printable(text: str, what: str) -> str:
    """``text`` when it holds no control character, else a one-line ValidationError."""
    problem = name_problem(text)
    if problem is not None:
        raise ValidationError(f"{what}: {problem}")
    return text
