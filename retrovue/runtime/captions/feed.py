"""The caption pair of each output picture of an encoding session.

Per item, the cues of its chosen track are loaded in the background (a helper thread, so a
slow embedded track never delays a picture), then scheduled (:mod:`.schedule`) on slots that
start at the item's file position when they arrive: a part that starts at file offset X shows
the cues from X on; one already under way is shown once it is loaded. Each item and each run
of slates starts by clearing the screen (EDM); a slate then carries null pairs. At more than
30 fps a slot is two pictures (608 runs at 30 pairs a second): the second carries a null pair.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from retrovue.runtime.captions.cea608 import EDM, Pair
from retrovue.runtime.captions.cues import CaptionLoadError, load_cues
from retrovue.runtime.captions.schedule import Cue, schedule, slot_cues
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.timeline import TimelineItem

log = logging.getLogger(__name__)

_Key = tuple[str, CaptionTrack]


class CaptionFeed:
    """Not thread-safe: the producer thread asks; only the loads run elsewhere."""

    def __init__(self, fps: int) -> None:
        self._frames_per_slot = 2 if fps > 30 else 1
        self._slots_per_s = fps / self._frames_per_slot
        self._loads: dict[_Key, Future[list[Cue]]] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._item: TimelineItem | None = None
        self._slate = False
        self._pairs: dict[int, Pair] | None = None
        self._frame = 0  # pictures since the schedule's slot 0
        self._clearing = 0  # pictures of the opening EDM still to send (slates, no cues yet)

    def request(self, item: TimelineItem) -> None:
        """Start loading ``item``'s cues (called when its file is being opened)."""
        key = _key(item)
        if key is None or key in self._loads:
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="captions")
        self._loads = {k: f for k, f in self._loads.items() if not f.done() or k == key}
        self._loads[key] = self._executor.submit(_load, *key)

    def item_pair(self, item: TimelineItem, position_s: float) -> Pair | None:
        """The pair for the next picture of ``item``, showing file position ``position_s``."""
        if item != self._item or self._slate:
            self._item, self._slate = item, False
            self._pairs, self._frame, self._clearing = None, 0, len(EDM)
            self.request(item)
        if self._pairs is None:
            cues = self._ready(item)
            if cues is not None:
                origin_ms = position_s * 1000
                self._pairs = schedule(slot_cues(cues, origin_ms, self._slots_per_s))
                self._frame, self._clearing = 0, 0
        if self._pairs is None:
            return self._clear()
        frame, self._frame = self._frame, self._frame + 1
        slot, within = divmod(frame, self._frames_per_slot)
        return None if within else self._pairs.get(slot)

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

    def _ready(self, item: TimelineItem) -> list[Cue] | None:
        """The item's cues, ``[]`` for none, None while they are still loading."""
        key = _key(item)
        if key is None:
            return []
        future = self._loads.get(key)
        if future is None or not future.done():
            return None
        try:
            return future.result()
        except CaptionLoadError as err:
            log.warning("%s; airing without captions", err)
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
    return load_cues(path, track)


def _done(cues: list[Cue]) -> Future[list[Cue]]:
    future: Future[list[Cue]] = Future()
    future.set_result(cues)
    return future
