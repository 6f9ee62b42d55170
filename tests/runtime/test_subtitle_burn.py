"""Image subtitles (PGS) burnt into the picture of an encoding channel."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import av
import pytest

from retrovue.clock import FakeClock
from retrovue.library.probe import probe_file
from retrovue.library.subtitles import choose_burn
from retrovue.runtime.encode.subburn import PgsPalettes
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import make_producer
from retrovue.testing.media import MediaSpec, make_media, read_frame_code
from retrovue.testing.pgs import BoxEvent, write_sup
from tests.runtime.helpers import TEST_PROFILE

FPS = TEST_PROFILE.fps
# a white box at the bottom of the 160x90 source from 1 to 2 s: on the 256x144 output (x1.6)
BOX = BoxEvent(1.0, 2.0, 40, 60, 80, 20)
INSIDE = [(x, y) for y in range(100, 124, 4) for x in range(72, 184, 8)]  # within 64..192, 96..128


@pytest.fixture(scope="module")
def with_pgs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pgs")
    video = make_media(folder / "film.mkv", MediaSpec(duration_s=4.0, width=160, height=90))
    sup = write_sup(folder / "film.sup", [BOX], (160, 90))
    out = folder / "film-subs.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-i", str(sup), "-map", "0",
         "-map", "1", "-c", "copy", "-metadata:s:s:0", "language=eng", str(out)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out


def _box_luma(frame: av.VideoFrame) -> float:
    gray = frame.reformat(format="gray")
    plane = gray.planes[0]
    data, stride = bytes(plane), plane.line_size
    return sum(data[y * stride + x] for x, y in INSIDE) / len(INSIDE)


def test_a_pgs_track_is_burnt_in_while_it_shows(with_pgs: Path) -> None:
    tracks = [t.to_json() for t in probe_file(with_pgs).subtitle_tracks]
    index = choose_burn(tracks, "en")
    assert index is not None
    assert choose_burn(tracks, "fr") is None  # no track in that language: nothing burnt in
    clock = FakeClock()
    item = TimelineItem(
        clock.now_utc(), clock.now_utc() + timedelta(seconds=3), "programme", "film",
        str(with_pgs), 500, 1, burn_stream=index,
    )  # fmt: skip
    chunks: list[bytes] = []
    producer = make_producer(
        ChannelInfo("9", "Nine", TEST_PROFILE, x264_preset="ultrafast"), ListTimeline([item]),
        clock, chunks.append, options=ProducerOptions(paced=False, max_frames=3 * FPS),
    )  # fmt: skip
    producer.start()
    producer.join(60)
    assert producer.error is None
    with av.open(BytesIO(b"".join(chunks)), format="mpegts") as container:
        frames = list(container.decode(video=0))
    boxed = [n for n, frame in enumerate(frames) if _box_luma(frame) > 240]
    # the file from 0.5 s: the box (1 to 2 s of the file) on output frames 15 to 44
    assert boxed == list(range(15, 45))
    assert [read_frame_code(f)[0] for f in frames] == [1] * len(frames)  # the picture intact


def test_pgs_palettes_and_size_come_from_the_segments() -> None:
    pcs = bytes.fromhex("0780043810" + "0001" + "80" + "00" + "03" + "01")
    pds = bytes([3, 0]) + bytes([1, 235, 100, 150, 255]) + bytes([2, 16, 128, 128, 128])
    segments = bytes([0x16, 0, len(pcs)]) + pcs + bytes([0x14, 0, len(pds)]) + pds
    palettes = PgsPalettes()
    palettes.read(segments)
    assert palettes.size == (1920, 1080)
    assert palettes.palette_id == 3
    luma, cb, cr, alpha = palettes.tables()
    assert (luma[1], cb[1], cr[1], alpha[1]) == (235, 150, 100, 255)  # Y Cr Cb A in, Y Cb Cr A out
    assert (alpha[2], alpha[0]) == (128, 0)  # an undefined entry is transparent
