"""The caption pair of each output picture of an encoding session.

Per item, the cues of its chosen track are loaded when its file is opened: a sidecar in the
opener thread with the file, an embedded track in a caption thread (it reads the whole file, so
a tune never waits for it; an item opened ahead of its boundary has it by then, and its first
picture waits for it at most 1 s if not). They are scheduled (:mod:`.schedule`) on slots that
start at the item's file position when they arrive: a part that starts at file offset X shows
the cues from X on; one already under way is shown once it is loaded. Each item and each run
of slates starts by clearing the screen (EDM); a slate then carries null pairs. At more than
30 fps a slot is two pictures (608 runs at 30 pairs a second): the second carries a null pair.
A file's own CEA-608 captions (A/53 in its pictures) pass through instead: the field-1 pairs of
each decoded picture go out in order, one per slot, from the item's file position on.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from retrovue.runtime.captions.cea608 import EDM, Pair
from retrovue.runtime.captions.cues import CaptionLoadError, load_cues
from retrovue.runtime.captions.schedule import Cue, schedule, slot_cues
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.timeline import TimelineItem

log = logging.getLogger(__name__)

_Key = tuple[str, CaptionTrack]
PassedPairs = deque[tuple[float, Pair]]
MAX_PASSED = 90  # pairs waiting to pass through (3 s of 608): older ones are dropped
PASS_LEAD_S = 0.001
T = TypeVar("T")
KEPT_TRACKS = 3
BOUNDARY_WAIT_S = 1.0  # at most this long, once, at the start of an item opened ahead


class CaptionFeed:
    """Used by the producer thread; loads start in the opener thread and run in their own."""

    def __init__(self, fps: int) -> None:
        self._frames_per_slot = 2 if fps > 30 else 1
        self._slots_per_s = fps / self._frames_per_slot
        self._fps = fps
        self._lock = threading.Lock()  # the opener thread adds loads, the producer reads them
        self._loads: dict[_Key, Future[list[Cue]]] = {}
        self._items = 0  # items begun in this session
        self._executor: ThreadPoolExecutor | None = None
        self._item: TimelineItem | None = None
        self._slate = False
        self._pairs: dict[int, Pair] | None = None
        self._frame = 0  # pictures since the schedule's slot 0
        self._clearing = 0  # pictures of the opening EDM still to send (slates, no cues yet)
        self._queue: deque[Pair] = deque(maxlen=MAX_PASSED)  # passed-through pairs to send

    def opening(self, item: TimelineItem, open_file: Callable[[], T]) -> Callable[[], T]:
        """``open_file`` followed by the start of the cue load, for the opener thread: a
        sidecar is read there and then (milliseconds: the cues are ready with the file), an
        embedded track in the caption thread (it takes a read of the whole file)."""

        def open_with_captions() -> T:
            opened = open_file()
            self.request(item)
            return opened

        return open_with_captions

    def request(self, item: TimelineItem) -> None:
        """Start loading ``item``'s cues (a sidecar's are read at once)."""
        key = _key(item)
        if key is None or key in self._loads:
            return
        with self._lock:
            kept = list(self._loads)[-KEPT_TRACKS:]  # the parts of a programme share theirs
            self._loads = {k: self._loads[k] for k in kept}
            if key[1].kind == "sidecar":
                self._loads[key] = _loaded(*key)
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="captions")
            self._loads[key] = self._executor.submit(_load, *key)

    def item_pair(
        self, item: TimelineItem, position_s: float, passed: PassedPairs | None = None
    ) -> Pair | None:
        """The pair for the next picture of ``item``, showing file position ``position_s``;
        ``passed``: the file's own 608 pairs by position, when its captions pass through."""
        first = item != self._item or self._slate
        if first:
            self._items += 1
            self._item, self._slate = item, False
            self._pairs, self._frame, self._clearing = None, 0, len(EDM)
            self._queue.clear()
            self.request(item)
        if passed is not None:
            return self._pass_through(passed, position_s)
        if self._pairs is None:
            cues = self._ready(item, first)
            if cues is not None:
                origin_ms = position_s * 1000
                self._pairs = schedule(slot_cues(cues, origin_ms, self._slots_per_s))
                self._frame, self._clearing = 0, 0
        if self._pairs is None:
            return self._clear()
        frame, self._frame = self._frame, self._frame + 1
        slot, within = divmod(frame, self._frames_per_slot)
        return None if within else self._pairs.get(slot)

    def _pass_through(self, passed: PassedPairs, position_s: float) -> Pair | None:
        """The file's pairs of the pictures up to ``position_s``, in order, one per slot (608
        runs at the same 30 pairs a second whatever the frame rates)."""
        frame, self._frame = self._frame, self._frame + 1
        while passed and frame == 0 and passed[0][0] < position_s - PASS_LEAD_S:
            passed.popleft()  # decoded on the way to the join position: not aired
        while passed and passed[0][0] <= position_s + PASS_LEAD_S:
            self._queue.append(passed.popleft()[1])
        if self._clearing:
            return self._clear()
        if frame % self._frames_per_slot or not self._queue:
            return None
        return self._queue.popleft()

    def slate_pair(self) -> Pair | None:
        """The pair for the next slate picture: the screen cleared, then nothing."""
        if not self._slate:
            self._item, self._slate, self._pairs, self._clearing = None, True, None, len(EDM)
        return self._clear()

    def _clear(self) -> Pair | None:
        if self._clearing:
            self._clearing -= 1
            return EDM[0]
        return None

    def _ready(self, item: TimelineItem, first: bool) -> list[Cue] | None:
        """The item's cues, ``[]`` for none, None while they are still loading. At the first
        picture of an item after a boundary (not the session's first item: a tune never waits) a
        track still loading is waited for, briefly and once: it was opened seconds ahead, so
        it is ready unless the file is huge, and a producer running faster than real time
        (tests, benchmarks) stays deterministic."""
        key = _key(item)
        if key is None:
            return []
        with self._lock:
            future = self._loads.get(key)
        if future is None:
            return None
        ahead = first and self._items > 1
        try:
            if not future.done():
                if not ahead:
                    return None
                return future.result(timeout=BOUNDARY_WAIT_S)
            return future.result()
        except TimeoutError:
            return None
        except CaptionLoadError as err:
            log.warning("%s; airing without captions", err)
            with self._lock:
                self._loads[key] = _done([])
            return []

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _key(item: TimelineItem) -> _Key | None:
    track = item.captions
    if track is None or item.file_path is None or track.kind == "a53":
        return None
    return item.file_path, track


def _load(path: str, track: CaptionTrack) -> list[Cue]:
    """The cues, or :class:`CaptionLoadError` whatever went wrong: a per-file job whose failure
    must never stop the channel (it then airs without captions)."""
    try:
        return load_cues(path, track)
    except CaptionLoadError:
        raise
    except Exception as err:  # the edge of a per-file job: logged by the feed, never fatal
        raise CaptionLoadError(f"cannot read the captions of {path}: {err!r}") from err


def _loaded(path: str, track: CaptionTrack) -> Future[list[Cue]]:
    future: Future[list[Cue]] = Future()
    try:
        future.set_result(_load(path, track))
    except CaptionLoadError as err:
        future.set_exception(err)
    return future


def _done(cues: list[Cue]) -> Future[list[Cue]]:
    future: Future[list[Cue]] = Future()
    future.set_result(cues)
    return future
