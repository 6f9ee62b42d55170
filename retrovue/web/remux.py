"""MPEG-TS in, fragmented MP4 out: a remux with PyAV (no decode, no encode).

A browser's plain ``<video>`` element plays fragmented MP4 (H.264 and AAC) as it arrives, in
Chromium and Firefox alike. The remuxer runs in its own thread: TS chunks are fed in, MP4 bytes
come out through a callback. Timestamps start at zero at the first video keyframe and carry on
across the stream's discontinuities (``retime.py``). ADTS audio becomes MP4's raw AAC
(``aac_adtstoasc``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import av

from retrovue.web.retime import Retimer

log = logging.getLogger(__name__)
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof+delay_moov"
INPUT_OPTIONS = {"probesize": "400000", "analyzeduration": "1500000"}
QUEUE_CHUNKS = 256  # about 2 MB of TS at the runtime's chunk size


class _FedInput:
    """A blocking, read-only file the demuxer pulls TS from (``None`` in the queue is EOF)."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._buffer = b""
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        while not self._buffer and not self._ended:
            chunk = self.chunks.get()
            if chunk is None:
                self._ended = True
            else:
                self._buffer = chunk
        if size < 0 or size >= len(self._buffer):
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


class _Output:
    """A write-only, non-seekable file: each write is handed to the callback."""

    def __init__(self, emit: Callable[[bytes], None]) -> None:
        self._emit = emit

    def write(self, data: Any) -> int:
        body = bytes(data)
        if body:
            self._emit(body)
        return len(body)


class Remuxer:
    """Feed TS with :meth:`feed`, end with :meth:`finish`; MP4 bytes go to ``emit`` (from the
    remux thread); ``done`` is called once at the end with the error, if any."""

    def __init__(
        self, emit: Callable[[bytes], None], done: Callable[[BaseException | None], None]
    ) -> None:
        self._input = _FedInput()
        self._output = _Output(emit)
        self._done = done
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retrovue-remux", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, chunk: bytes) -> bool:
        """Queue TS without blocking; False when the remuxer is behind (try again shortly)."""
        try:
            self._input.chunks.put_nowait(chunk)
        except queue.Full:
            return False
        return True

    def feed(self, chunk: bytes, timeout_s: float = 5.0) -> None:
        """Queue TS, blocking while the remuxer is behind."""
        self._input.chunks.put(chunk, timeout=timeout_s)

    def finish(self, timeout_s: float = 5.0) -> None:
        """The TS has ended: remux what is queued, then end the MP4."""
        self._input.chunks.put(None, timeout=timeout_s)

    def cancel(self) -> None:
        """The viewer left: stop now, drop what is queued."""
        self._stop.set()
        self._drain_and_end()

    def join(self, timeout_s: float = 5.0) -> None:
        self._thread.join(timeout_s)

    def _drain_and_end(self) -> None:
        while True:
            try:
                self._input.chunks.get_nowait()
            except queue.Empty:
                break
        self._input.chunks.put_nowait(None)

    def _run(self) -> None:
        error: BaseException | None = None
        try:
            self._remux()
        except Exception as err:  # the edge of the thread: report, never raise
            if not self._stop.is_set():
                log.warning("browser stream remux ended: %s", err)
                error = err
                log.debug("remux", exc_info=True)
        finally:
            self._done(error)

    def _remux(self) -> None:
        with av.open(self._input, "r", format="mpegts", options=INPUT_OPTIONS) as source:
            video = source.streams.video[0]
            audio = source.streams.audio[0] if source.streams.audio else None
            wanted = [video] + ([audio] if audio is not None else [])
            with av.open(self._output, "w", format="mp4", options={"movflags": MOVFLAGS}) as sink:
                outputs = {s.index: sink.add_stream_from_template(s) for s in wanted}
                adts = None
                if audio is not None:
                    adts = av.BitStreamFilterContext(
                        "aac_adtstoasc", in_stream=audio, out_stream=outputs[audio.index]
                    )
                    outputs[audio.index].codec_tag = "mp4a"  # the filter copied the TS tag
                timeline = Retimer()
                for packet in source.demux(wanted):
                    if self._stop.is_set():
                        break
                    if packet.dts is None or packet.pts is None or packet.time_base is None:
                        continue
                    is_video = packet.stream.index == video.index
                    shift_s = timeline.place(
                        "video" if is_video else "audio",
                        packet.dts * packet.time_base,
                        packet.is_keyframe,
                    )
                    if shift_s is None:
                        continue
                    shift = round(shift_s / packet.time_base)
                    packet.dts -= shift
                    packet.pts -= shift
                    target = outputs[packet.stream.index]
                    filtered = [packet] if is_video or adts is None else adts.filter(packet)
                    for out in filtered:
                        out.stream = target
                        sink.mux(out)
