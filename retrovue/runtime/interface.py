"""The seam between the network side and the runtime: open a channel's stream, read TS bytes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class StreamSession(Protocol):
    """One viewer's MPEG-TS byte stream."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def dropped(self) -> None:
        """Return once the runtime has dropped this viewer (it fell too far behind); the caller
        then closes the viewer's connection. Never returns for a viewer that keeps up."""

    async def close(self) -> None: ...


class StreamService(Protocol):
    """Opens viewers' streams; raises StreamError or NotFoundError when it cannot."""

    async def open(self, channel_number: str, *, client: str) -> StreamSession: ...
