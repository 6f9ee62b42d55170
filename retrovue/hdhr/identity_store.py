"""Keep the device identity in the ``station_setting`` table: generated once, then stable."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import StationSetting
from retrovue.errors import DatabaseError
from retrovue.hdhr.identity import (
    DeviceIdentity,
    check_digit_valid,
    generate_device_auth,
    generate_device_id,
    is_legacy,
    valid_device_auth,
    validate_device_id,
)

DEVICE_ID_KEY = "hdhr.device_id"
DEVICE_AUTH_KEY = "hdhr.device_auth"

log = logging.getLogger(__name__)


def _stored_id_ok(text: str) -> bool:
    try:
        number = int(text, 16)
    except ValueError:
        return False
    return len(text) == 8 and text == text.upper() and check_digit_valid(number)


def _read(session: Session) -> dict[str, str]:
    rows = session.query(StationSetting).filter(
        StationSetting.key.in_((DEVICE_ID_KEY, DEVICE_AUTH_KEY))
    )
    return {row.key: row.value for row in rows}


def _ensure(database: Database, clock: Clock) -> dict[str, str]:
    with database.transaction(immediate=True) as session:
        stored = _read(session)
        missing: dict[str, Callable[[], str]] = {
            DEVICE_ID_KEY: generate_device_id,
            DEVICE_AUTH_KEY: generate_device_auth,
        }
        for key, make in missing.items():
            if key not in stored:
                stored[key] = make()
                session.add(StationSetting(key=key, value=stored[key], updated_utc=clock.now_utc()))
                log.info("generated %s", key if key == DEVICE_AUTH_KEY else f"{key} {stored[key]}")
        return stored


def load_identity(
    database: Database, clock: Clock, *, device_id_override: str | None = None
) -> DeviceIdentity:
    """The installation's identity; generated and stored on first use.

    ``device_id_override`` (from settings) wins over the stored id; it must pass the check digit
    or a :class:`ConfigError` names the problem. The stored id is kept for when it is removed.
    """
    override = validate_device_id(device_id_override) if device_id_override else None
    try:
        stored = _ensure(database, clock)
    except IntegrityError:  # another process inserted first: read what it wrote
        with database.transaction() as session:
            stored = _read(session)
    device_id = stored.get(DEVICE_ID_KEY, "")
    device_auth = stored.get(DEVICE_AUTH_KEY, "")
    if override is None and (not _stored_id_ok(device_id) or is_legacy(int(device_id, 16))):
        raise DatabaseError(
            f"station_setting {DEVICE_ID_KEY}={device_id!r} is not a valid DeviceID; "
            "delete that row to generate a new one or set device_id"
        )
    if not valid_device_auth(device_auth):
        raise DatabaseError(f"station_setting {DEVICE_AUTH_KEY} is not a 24-character value")
    return DeviceIdentity(device_id=override or device_id, device_auth=device_auth)
