"""Shared pieces of the Jellyfin/Emby tests: the key, a running fake server, local media copies."""

from __future__ import annotations

from pathlib import Path

from retrovue.testing.media import make_media
from tests.library.plex_support import SMALL

KEY = "jF-4p1-k3y-0c7d2e"
SHORT_TIMEOUT_S = 0.5


def local_copy(root: Path, server_path: str, prefix: str = "/media") -> Path:
    """Write a small real media file where ``server_path`` maps to under ``root``."""
    return make_media(root / server_path.removeprefix(prefix + "/"), SMALL)
