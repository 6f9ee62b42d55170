"""Fan-out: bytes from a producer thread to the viewers of one channel on the event loop.

The producer thread (or a worker's reader thread) calls :meth:`Hub.publish` for each chunk of a
few output frames. At most ``max_in_flight`` chunks wait for the loop (a bounded hand-over: the
producer blocks if the loop stalls). Each viewer has its own queue bounded in bytes
(``VIEWER_QUEUE_BYTES``); a viewer that cannot keep up is dropped instead of slowing the others.
The hub keeps the stream since its latest join point (the SDT, PAT and PMT the muxer writes
right before every IDR; before the first one, the stream since its start, which begins with the
tables): a viewer who joins a running channel is given all of it at once and starts decoding at
that IDR instead of waiting up to a GOP for the next one. When the kept part outgrows
``recent_bytes`` (a copy channel with very long GOPs), it is let go and a joining viewer waits for
the next join point.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable

log = logging.getLogger(__name__)

TS_PACKET = 188
VIEWER_QUEUE_BYTES = 4 * 1024 * 1024  # about 10 s of 720p: behind by more, a viewer is dropped
RECENT_BYTES = VIEWER_QUEUE_BYTES // 2  # at most this much kept for joining viewers
MAX_IN_FLIGHT = 512
PUBLISH_WAIT_S = 0.25


VIDEO_PID = 0x100  # the muxer's first elementary stream: our video
PAT_PID, SDT_PID, PMT_PID = 0x00, 0x11, 0x1000


def join_offset(chunk: bytes) -> int | None:
    """Where a new viewer may start in ``chunk``: at the SDT/PAT/PMT packets the muxer writes
    right before a video keyframe (random access indicator), or None when the chunk has no
    keyframe after a PAT. A chunk holds a few output frames (``TsOutput.end_frame``)."""
    tables_at: int | None = None  # the latest run of table packets seen so far
    in_tables = False
    for at in range(0, len(chunk) - TS_PACKET + 1, TS_PACKET):
        pid = ((chunk[at + 1] & 0x1F) << 8) | chunk[at + 2]
        if pid in (SDT_PID, PAT_PID, PMT_PID):
            if not in_tables and pid != PMT_PID:
                tables_at, in_tables = at, True
            continue
        in_tables = False
        if tables_at is not None and pid == VIDEO_PID and _starts_keyframe(chunk, at):
            return tables_at
    return None


def _starts_keyframe(chunk: bytes, at: int) -> bool:
    """The packet at ``at`` starts a PES with the random access indicator set."""
    return bool(
        chunk[at + 1] & 0x40 and chunk[at + 3] & 0x20 and chunk[at + 4] and chunk[at + 5] & 0x40
    )


def is_join_point(chunk: bytes) -> bool:
    return join_offset(chunk) is not None


class Viewer:
    """One viewer's bounded queue of chunks; ``None`` in the queue ends the stream."""

    def __init__(self, client: str, *, max_bytes: int, wait_for_key: bool) -> None:
        self.client = client
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.max_bytes = max_bytes
        self.queued_bytes = 0
        self.wait_for_key = wait_for_key
        self.ended = False
        self.dropped = asyncio.Event()  # set when the viewer fell too far behind
        self.bytes_out = 0

    def offer(self, chunk: bytes) -> bool:
        """Queue ``chunk``; False when the viewer is too slow (it is then ended)."""
        if self.ended:
            return True
        if self.wait_for_key:
            start = join_offset(chunk)
            if start is None:
                return True
            self.wait_for_key = False
            chunk = chunk[start:]
        if self.queued_bytes + len(chunk) > self.max_bytes:
            self.end()
            self.dropped.set()  # its connection is closed by whoever serves it
            return False
        self.queued_bytes += len(chunk)
        self.queue.put_nowait(chunk)
        return True

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.queue.put_nowait(None)

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self.queue.get()
            if chunk is None:
                return
            self.queued_bytes -= len(chunk)
            self.bytes_out += len(chunk)
            yield chunk


class Hub:
    """Created on the event loop; ``publish`` and ``finish`` are called from the producer thread."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        viewer_bytes: int = VIEWER_QUEUE_BYTES,
        recent_bytes: int | None = None,
    ) -> None:
        self._loop = loop
        self._slots = threading.Semaphore(max_in_flight)
        self._closing = threading.Event()
        self._viewer_bytes = viewer_bytes
        self._recent_limit = min(
            viewer_bytes // 2, RECENT_BYTES if recent_bytes is None else recent_bytes
        )
        self._recent: list[bytes] = []  # the stream since its latest join point (or its start)
        self._recent_size = 0
        self._recent_kept = True  # False: outgrown; joining viewers wait for a join point
        self.viewers: list[Viewer] = []
        self.chunks_published = 0
        self.bytes_published = 0
        self.finished = False
        self.on_viewer_dropped: Callable[[Viewer], None] | None = None

    # ---- producer thread side --------------------------------------------------------------

    def publish(self, chunk: bytes) -> None:
        while not self._slots.acquire(timeout=PUBLISH_WAIT_S):
            if self._closing.is_set():
                return
        try:
            self._loop.call_soon_threadsafe(self._deliver, chunk)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self._slots.release()

    def finish(self) -> None:
        """The producer ended: end every viewer's stream."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._finish)

    def closing(self) -> None:
        """Unblock a producer waiting in ``publish`` (we are stopping it)."""
        self._closing.set()

    # ---- event loop side -------------------------------------------------------------------

    def _deliver(self, chunk: bytes) -> None:
        self._slots.release()
        self.send(chunk)

    def send(self, chunk: bytes) -> None:
        """Give ``chunk`` to every viewer and keep it for joining ones (event loop; the
        producer's chunks come through ``publish``, the server's own, like the tables it sends
        the moment a channel starts, straight here)."""
        self._keep(chunk)
        self.chunks_published += 1
        self.bytes_published += len(chunk)
        for viewer in list(self.viewers):
            if not viewer.offer(chunk):
                log.warning("viewer %s too slow: dropped", viewer.client)
                self.viewers.remove(viewer)
                if self.on_viewer_dropped is not None:
                    self.on_viewer_dropped(viewer)

    def _keep(self, chunk: bytes) -> None:
        start = join_offset(chunk)
        if start is not None:
            self._recent, self._recent_kept = [chunk[start:]], True
            self._recent_size = len(chunk) - start
        elif self._recent_kept:
            self._recent_size += len(chunk)
            self._recent.append(chunk)
            if self._recent_size > self._recent_limit:
                self._recent, self._recent_size, self._recent_kept = [], 0, False

    def _finish(self) -> None:
        self.finished = True
        for viewer in self.viewers:
            viewer.end()

    def add_viewer(self, client: str) -> Viewer:
        """A new viewer, given the stream since the latest join point at once."""
        viewer = Viewer(client, max_bytes=self._viewer_bytes, wait_for_key=not self._recent_kept)
        if self._recent_kept:
            for chunk in self._recent:
                viewer.offer(chunk)
        if self.finished:
            viewer.end()
        self.viewers.append(viewer)
        return viewer

    def remove_viewer(self, viewer: Viewer) -> None:
        viewer.end()
        if viewer in self.viewers:
            self.viewers.remove(viewer)
