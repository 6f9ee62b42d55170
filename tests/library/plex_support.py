"""Shared pieces of the Plex tests: the token, a running fake server, local copies of media."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from retrovue.testing.fake_plex import FakePlexServer, running_fake_plex
from retrovue.testing.media import AudioSpec, MediaSpec, make_media

TOKEN = "pLeX-s3cr3t-T0ken-4711"
SHORT_TIMEOUT_S = 0.5

PILOT = "/data/tv/The Sample Show (1998)/Season 01/The Sample Show - S01E01 - Pilot.mkv"
DEAD_AIR = "/data/tv/The Sample Show (1998)/Season 01/The Sample Show - S01E02 - Dead Air.mkv"
SPECIAL = (
    "/data/tv/The Sample Show (1998)/Specials/"
    "The Sample Show - S00E01 - Christmas at the Station.mkv"
)
LONG_CUT_1 = "/data/movies/The Long Cut (1994)/The Long Cut (1994) - pt1.avi"

SMALL = MediaSpec(
    duration_s=1.0, width=160, height=120, fps=Fraction(25), audio=(AudioSpec(language="eng"),)
)


def serve_fake_plex() -> Iterator[FakePlexServer]:
    """Body of each test module's ``fake_plex`` fixture."""
    with running_fake_plex(token=TOKEN) as server:
        yield server


def local_copy(root: Path, plex_path: str, prefix: str = "/data") -> Path:
    """Write a small real media file where ``plex_path`` maps to under ``root``."""
    return make_media(root / plex_path.removeprefix(prefix + "/"), SMALL)


def closed_port_url() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
