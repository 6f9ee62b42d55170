"""The remuxer on real TS: a playable fragmented MP4, also across a restarted stream."""

from __future__ import annotations

import io
import threading
from itertools import pairwise
from pathlib import Path

import av

from retrovue.testing.media import MediaSpec, make_media
from retrovue.web.remux import Remuxer

CHUNK = 188 * 70


def _remux(data: bytes) -> bytes:
    out = bytearray()
    ended = threading.Event()
    errors: list[BaseException | None] = []

    def done(error: BaseException | None) -> None:
        errors.append(error)
        ended.set()

    remuxer = Remuxer(out.extend, done)
    remuxer.start()
    for at in range(0, len(data), CHUNK):
        remuxer.feed(data[at : at + CHUNK])
    remuxer.finish()
    assert ended.wait(30)
    remuxer.join()
    assert errors == [None]
    return bytes(out)


def _frames(body: bytes) -> tuple[list[float], int]:
    with av.open(io.BytesIO(body), format="mp4") as container:
        assert {s.type for s in container.streams} == {"video", "audio"}
        times = [float(f.time) for f in container.decode(video=0) if f.time is not None]
    with av.open(io.BytesIO(body), format="mp4") as container:
        audio = sum(f.samples for f in container.decode(audio=0))
    return times, audio


def test_a_restarted_stream_plays_on(tmp_path: Path) -> None:
    ts = make_media(tmp_path / "clip.ts", MediaSpec(duration_s=2.0, gop=25)).read_bytes()
    once, audio_once = _frames(_remux(ts))
    assert once[0] == 0.0
    assert len(once) == 50
    twice, audio_twice = _frames(_remux(ts + ts))  # the second copy starts its clock over
    assert len(twice) == 100
    assert all(b > a for a, b in pairwise(twice))
    assert twice[-1] > 3.8
    assert audio_twice > 1.8 * audio_once
