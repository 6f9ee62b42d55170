"""The MPEG-TS muxer both engines share: its options, its write-only sink and the PSI preamble."""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av

MUXER_OPTIONS = {
    "max_delay": "700000",
    "max_interleave_delta": "1000000",
    "pcr_period": "40",
    "flush_packets": "1",
}
CHUNK_FRAMES = 6  # output frames per published chunk once tuned (about 0.1 s at 60 fps or less)
PSI_PIDS = (0x11, 0x00, 0x1000)  # SDT, PAT, PMT as the muxer numbers them
TS_PACKET = 188


class Sink:
    """A write-only file for the muxer (no ``seek``). With ``batch``, the muxer's writes are
    held and published as one chunk per output frame (``release``): far fewer hand-overs to the
    event loop and far fewer socket writes per viewer than one per muxed packet."""

    def __init__(self, publish: Callable[[bytes], None], *, batch: bool) -> None:
        self._publish = publish
        self._batch = batch
        self._held = bytearray()
        self.bytes_written = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        size = len(data)
        self.bytes_written += size
        if self._batch:
            self._held += data
        else:
            self._publish(bytes(data))
        return size

    def release(self) -> None:
        if self._held:
            chunk = bytes(self._held)
            self._held.clear()
            self._publish(chunk)


def open_muxer(sink: Sink, service_name: str) -> Any:
    """An MPEG-TS container writing to ``sink``, announcing ``service_name`` in its SDT."""
    container: Any = av.open(sink, "w", format="mpegts", container_options=dict(MUXER_OPTIONS))
    container.metadata["service_name"] = service_name
    container.metadata["service_provider"] = "RetroVue"
    return container


@functools.lru_cache(maxsize=64)
def psi_preamble(service_name: str) -> bytes:
    """SDT, PAT and PMT exactly as a session's muxer will write them, with continuity counter 15.

    Sent the moment a viewer tunes, before the encoders have produced anything: the muxer's own
    tables follow with counter 0, so the stream stays continuous and has one PMT version. Taken
    from a tiny scratch muxer with the same stream layout (H.264, then AAC) and service name: a
    few milliseconds.
    """
    chunks: list[bytes] = []
    container = open_muxer(Sink(chunks.append, batch=False), service_name)
    video = container.add_stream("libx264", rate=30)
    video.width, video.height, video.pix_fmt = 64, 36, "yuv420p"
    video.codec_context.time_base = Fraction(1, 30)
    video.codec_context.options = {"preset": "ultrafast"}
    audio = container.add_stream("aac", rate=48000)
    audio.layout = "stereo"
    picture = av.VideoFrame(64, 36, "yuv420p")
    picture.time_base = Fraction(1, 30)
    frame = 0
    while not chunks:
        picture.pts = frame
        frame += 1
        container.mux(video.encode(picture))
    container.close()
    data = b"".join(chunks)
    found: dict[int, bytes] = {}
    for at in range(0, len(data) - TS_PACKET + 1, TS_PACKET):
        pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
        if pid in PSI_PIDS and pid not in found:
            packet = bytearray(data[at : at + TS_PACKET])
            packet[3] |= 0x0F
            found[pid] = bytes(packet)
    return b"".join(found[pid] for pid in PSI_PIDS if pid in found)
