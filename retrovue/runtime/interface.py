"""The seam between the network side and the runtime: open a channel's stream, read TS bytes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class StreamSession(Protocol):
    """One viewer's MPEG-TS byte stream."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


class StreamService(Protocol):
    """Opens viewers' streams; raises StreamError or NotFoundError when it cannot."""

    async def open(self, channel_number: str, *, client: str) -> StreamSession: ...
