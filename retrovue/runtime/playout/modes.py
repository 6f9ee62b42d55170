"""The program director's modes as the playout core sees them (``onair.director`` reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Mode = Literal["normal", "emergency", "guide"]


@dataclass(frozen=True)
class DirectorState:
    mode: Mode
    message: str | None = None
    request_id: int | None = None
    since_utc: datetime | None = None
    station_wide: bool = False


NORMAL = DirectorState("normal")
GUIDE = DirectorState("guide")
