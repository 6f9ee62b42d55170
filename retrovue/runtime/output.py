"""The one output of a session: an MPEG-TS muxer, an H.264 and an AAC encoder, never restarted.

Timestamps are counters of the output clock (video frame n at n / fps, audio sample n at
n / 48000), so continuity, PCR and PTS stay exact across every programme boundary by
construction. Every ``gop_frames``-th frame is forced to an IDR (closed GOP, no scene cuts);
every other frame's picture type is reset so a source I-frame does not become an extra IDR.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from retrovue.runtime.profiles import AUDIO_FRAME_SAMPLES, AUDIO_RATE_HZ, OutputProfile

MUXER_OPTIONS = {
    "max_delay": "700000",
    "max_interleave_delta": "1000000",
    "pcr_period": "40",
    "flush_packets": "1",
}


class _Sink:
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


def x264_options(profile: OutputProfile, preset: str) -> dict[str, str]:
    gop = profile.gop_frames
    return {
        "preset": preset,
        "forced-idr": "1",
        "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0",
        "crf": "23",
        "maxrate": str(profile.video_bitrate),
        "bufsize": str(profile.video_bitrate * 2),
    }


CHUNK_FRAMES = 6
PSI_PIDS = (0x11, 0x00, 0x1000)  # SDT, PAT, PMT as the muxer numbers them
TS_PACKET = 188


@functools.lru_cache(maxsize=64)
def psi_preamble(service_name: str) -> bytes:
    """SDT, PAT and PMT exactly as a session's muxer will write them, with continuity counter 15.

    Sent the moment a viewer tunes, before the encoders have produced anything: the muxer's own
    tables follow with counter 0, so the stream stays continuous and has one PMT version. Taken
    from a tiny scratch session (same stream layout, same service name): a few milliseconds.
    """
    chunks: list[bytes] = []
    scratch = TsOutput(
        OutputProfile("psi", 64, 36, fps=30), chunks.append, preset="ultrafast",
        service_name=service_name, batch=False,
    )  # fmt: skip
    picture = av.VideoFrame(64, 36, "yuv420p")
    while not chunks:
        scratch.write_video(picture)
    scratch.close(flush=False)
    data = b"".join(chunks)
    found: dict[int, bytes] = {}
    for at in range(0, len(data) - TS_PACKET + 1, TS_PACKET):
        pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
        if pid in PSI_PIDS and pid not in found:
            packet = bytearray(data[at : at + TS_PACKET])
            packet[3] |= 0x0F
            found[pid] = bytes(packet)
    return b"".join(found[pid] for pid in PSI_PIDS if pid in found)


class TsOutput:
    """Encoders and muxer for a whole session. Not thread-safe: one producer thread uses it."""

    def __init__(
        self,
        profile: OutputProfile,
        publish: Callable[[bytes], None],
        *,
        preset: str = "veryfast",
        service_name: str = "RetroVue",
        batch: bool = True,
    ) -> None:
        self.profile = profile
        self.sink = _Sink(publish, batch=batch)
        self._container: Any = av.open(
            self.sink, "w", format="mpegts", container_options=dict(MUXER_OPTIONS)
        )
        self._container.metadata["service_name"] = service_name
        self._container.metadata["service_provider"] = "RetroVue"
        self._video = self._add_video(preset)
        self._audio = self._add_audio()
        self._fifo = av.AudioFifo()
        self.frames_out = 0
        self.samples_out = 0

    def _add_video(self, preset: str) -> Any:
        profile = self.profile
        stream = self._container.add_stream("libx264", rate=profile.frame_rate)
        stream.width = profile.width
        stream.height = profile.height
        stream.pix_fmt = "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = Fraction(1, profile.fps)
        ctx.gop_size = profile.gop_frames
        ctx.thread_type = "FRAME"
        ctx.options = x264_options(profile, preset)
        return stream

    def _add_audio(self) -> Any:
        stream = self._container.add_stream("aac", rate=AUDIO_RATE_HZ)
        stream.layout = "stereo"
        stream.bit_rate = self.profile.audio_bitrate
        return stream

    def write_video(self, frame: av.VideoFrame) -> None:
        """Encode ``frame`` as the next output frame (the object may be reused for repeats)."""
        index = self.frames_out
        frame.pts = index
        frame.time_base = Fraction(1, self.profile.fps)
        is_idr = index % self.profile.gop_frames == 0
        frame.pict_type = PictureType.I if is_idr else PictureType.NONE
        self._container.mux(self._video.encode(frame))
        self.frames_out += 1

    def write_audio(self, frames: list[av.AudioFrame]) -> None:
        """Queue audio (stereo fltp 48 kHz) and encode every whole AAC frame."""
        for frame in frames:
            frame.pts = None
            frame.time_base = Fraction(1, AUDIO_RATE_HZ)
            self._fifo.write(frame)
        while self._fifo.samples >= AUDIO_FRAME_SAMPLES:
            chunk = self._fifo.read(AUDIO_FRAME_SAMPLES)
            if chunk is None:
                break
            chunk.pts = self.samples_out
            chunk.time_base = Fraction(1, AUDIO_RATE_HZ)
            self._container.mux(self._audio.encode(chunk))
            self.samples_out += AUDIO_FRAME_SAMPLES

    def end_frame(self) -> None:
        """Publish what the muxer wrote since the last chunk: after every frame during the
        first second (tuning), then every ``CHUNK_FRAMES`` frames (about 0.1 s of output), so
        each viewer gets about ten socket writes per second whatever the muxer does."""
        frames = self.frames_out
        if frames <= self.profile.fps or frames % CHUNK_FRAMES == 0:
            self.sink.release()

    def close(self, *, flush: bool = True) -> None:
        """Finish the stream: drain the encoders (when ``flush``) and write the trailer."""
        try:
            if flush:
                self._container.mux(self._video.encode(None))
                self._container.mux(self._audio.encode(None))
        finally:
            self._container.close()
            self.sink.release()
