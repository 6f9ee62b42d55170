"""Which subtitles of an item become its captions: the choice the directory made. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CaptionKind = Literal["sidecar", "embedded", "a53"]


@dataclass(frozen=True)
class CaptionTrack:
    """A sidecar file (``path``), an embedded text track (``stream_index``) or the CEA-608
    captions already in the file's H.264 pictures (``a53``, passed through)."""

    kind: CaptionKind
    path: str | None = None
    stream_index: int | None = None
    language: str | None = None
