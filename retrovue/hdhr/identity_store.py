"""Keep the device identity in the data directory: generated once per installation, then stable.

The identity lives in ``<data_dir>/identity.json``, not in the database, because several
appliances may share one PostgreSQL database and each must keep its own DeviceID (two tuners with
one id overwrite each other in Plex and Jellyfin). The file is created atomically: two processes
starting at once on one data directory agree on the first one written.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

from retrovue.errors import ConfigError
from retrovue.hdhr.identity import (
    DeviceIdentity,
    check_digit_valid,
    generate_device_auth,
    generate_device_id,
    is_legacy,
    valid_device_auth,
    validate_device_id,
)

IDENTITY_FILE = "identity.json"

log = logging.getLogger(__name__)


def _stored_id_ok(text: object) -> bool:
    if not isinstance(text, str) or len(text) != 8 or text != text.upper():
        return False
    try:
        number = int(text, 16)
    except ValueError:
        return False
    return check_digit_valid(number) and not is_legacy(number)


def _create(path: Path) -> None:
    """Write a new identity unless the file exists (O_EXCL: the first writer wins)."""
    data = {"device_id": generate_device_id(), "device_auth": generate_device_auth()}
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # unique per call, not per process
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    try:
        os.link(tmp, path)  # atomic and fails if another process created it first
        log.info("generated device id %s in %s", data["device_id"], path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(
            f"{path}: unreadable device identity ({err}); delete it to regenerate"
        ) from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a JSON object; delete it to regenerate")
    return data


def load_identity(data_dir: Path, *, device_id_override: str | None = None) -> DeviceIdentity:
    """The installation's identity; generated and stored on first use.

    ``device_id_override`` (from settings) wins over the stored id; it must pass the check digit
    or a :class:`ConfigError` names the problem (and nothing is written). The stored id is kept
    for when the override is removed.
    """
    override = validate_device_id(device_id_override) if device_id_override else None
    path = data_dir / IDENTITY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _create(path)
    data = _read(path)
    device_id, device_auth = data.get("device_id"), data.get("device_auth")
    if override is None and not _stored_id_ok(device_id):
        raise ConfigError(
            f"{path}: device_id {device_id!r} is not a valid DeviceID; "
            "delete the file to generate a new one or set device_id"
        )
    if not isinstance(device_auth, str) or not valid_device_auth(device_auth):
        raise ConfigError(f"{path}: device_auth is not a 24-character value; delete the file")
    return DeviceIdentity(device_id=override or str(device_id), device_auth=device_auth)
