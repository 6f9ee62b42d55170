"""A programme's subtitles on air as CEA-608 captions, read back by FFmpeg's own decoder.

One channel: a programme joined mid-way (file offset 2 s), a break (a spot without
subtitles), the programme's second part. FFmpeg reads the recording's A/53 caption data
(``movie=rec.ts[out0+subcc]``): each cue aired at its scheduled time (within 0.5 s) with its
text (accents included), nothing from before the join, nothing during the break, the caption
on screen at the break cleared there. Embedded SubRip (Matroska) and mov_text (MP4) tracks
air too, and a copy channel passes a captioned H.264 file's captions through untouched.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from retrovue.clock import FakeClock
from retrovue.library.probe import probe_file
from retrovue.library.subtitles import caption_sources, choose_caption
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, back_to_back
from retrovue.runtime.producer import make_producer
from retrovue.testing.cc608 import ffmpeg_captions
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime.copykit import copy_channel
from tests.runtime.helpers import TEST_PROFILE

FPS = TEST_PROFILE.fps
TOLERANCE_S = 0.5
SRT = """1
00:00:00,500 --> 00:00:01,500
Not aired: before the join

2
00:00:02,800 --> 00:00:04,000
Welcome back to the show

3
00:00:04,200 --> 00:00:05,600
Crossing into the break

4
00:00:05,600 --> 00:00:06,800
Après la pause, ça continue

5
00:00:07,000 --> 00:00:07,800
Last words, über alles
"""
# (file start, file end) of each aired cue, and where it airs: part 1 plays the file from 2 s
# at 0 s, the break runs 3-4 s, part 2 plays the file from 5 s at 4 s
EXPECTED = [
    (0.8, 2.0, "Welcome back to the show"),
    (2.2, 3.0, "Crossing into the break"),
    (4.6, 5.8, "Après la pause, ça continue"),
    (6.0, 6.8, "Last words, über alles"),
]


def _run(
    items: list[TimelineItem], clock: FakeClock, seconds: float, out: Path, captions: bool = True
) -> Path:
    chunks: list[bytes] = []
    channel = ChannelInfo("9", "Nine", TEST_PROFILE, x264_preset="ultrafast", captions=captions)
    producer = make_producer(
        channel, ListTimeline(items), clock, chunks.append,
        options=ProducerOptions(paced=False, max_frames=round(seconds * FPS)),
    )  # fmt: skip
    producer.start()
    producer.join(60)
    assert producer.error is None
    out.write_bytes(b"".join(chunks))
    return out


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("captioned")
    media = make_media(
        folder / "Show - S01E01.mkv", MediaSpec(duration_s=9.0, width=160, height=90)
    )
    (folder / "Show - S01E01.en.srt").write_text(SRT, encoding="utf-8")
    return media


@pytest.fixture(scope="module")
def recording(show: Path) -> Path:
    clock = FakeClock()
    spot = make_media(show.parent / "spot.mp4", MediaSpec(duration_s=1.5, width=160, height=90))
    sidecar = CaptionTrack("sidecar", path=str(show.with_suffix(".en.srt")), language="en")
    parts = back_to_back(clock.now_utc(), [(str(show), 3.0, 2.0), (str(spot), 1.0, 0.0),
                                           (str(show), 3.2, 5.0)])  # fmt: skip
    items = [replace(p, captions=sidecar) if p.file_path == str(show) else p for p in parts]
    return _run(items, clock, 7.2, show.parent / "rec.ts")


def _matches(
    aired: list[tuple[float, float, str]], expected: list[tuple[float, float, str]]
) -> None:
    assert [text for _, _, text in aired] == [text for _, _, text in expected]
    for (start, end, text), (want_start, want_end, _) in zip(aired, expected, strict=True):
        assert abs(start - want_start) <= TOLERANCE_S, (text, start, want_start)
        assert abs(end - want_end) <= TOLERANCE_S, (text, end, want_end)


def test_cues_air_at_their_times_across_a_join_and_a_break(recording: Path) -> None:
    aired = ffmpeg_captions(recording)
    _matches(aired, EXPECTED)
    assert not any(start < 4.0 and end > 3.0 + 1 / FPS for start, end, _ in aired)  # the break


def test_the_sidecar_is_chosen_by_language(show: Path) -> None:
    sidecars = [{"path": str(show.with_suffix(".en.srt")), "format": "srt", "language": "en"}]
    chosen = choose_caption(caption_sources(sidecars, [], False), None, "eng")
    assert chosen is not None
    assert chosen["path"] == sidecars[0]["path"]


def _mux_subtitles(video: Path, srt: Path, out: Path, codec: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-i", str(srt), "-map", "0",
         "-map", "1", "-c", "copy", "-c:s", codec, "-metadata:s:s:0", "language=fra", str(out)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out


@pytest.mark.parametrize(("ext", "codec"), [("mkv", "srt"), ("mp4", "mov_text")])
def test_an_embedded_text_track_airs_as_captions(show: Path, ext: str, codec: str) -> None:
    muxed = _mux_subtitles(show, show.with_suffix(".en.srt"), show.parent / f"emb.{ext}", codec)
    probe = probe_file(muxed)
    tracks = [t.to_json() for t in probe.subtitle_tracks]
    chosen = choose_caption(caption_sources([], tracks, probe.closed_captions), "fr", None)
    assert chosen is not None
    assert chosen["kind"] == "embedded"
    clock = FakeClock()
    track = CaptionTrack("embedded", stream_index=chosen["index"], language="fra")
    spot = show.parent / "spot.mp4"  # made by the recording fixture's module
    if not spot.exists():
        make_media(spot, MediaSpec(duration_s=1.5, width=160, height=90))
    parts = back_to_back(clock.now_utc(), [(str(spot), 1.2, 0.0), (str(muxed), 3.6, 3.6)])
    items = [parts[0], replace(parts[1], captions=track)]  # opened ahead, as at a boundary
    aired = ffmpeg_captions(_run(items, clock, 4.8, show.parent / f"emb-{ext}.ts"))
    _matches(aired[:2], [(1.8, 3.2, "Crossing into the break"),
                         (3.2, 4.4, "Après la pause, ça continue")])  # fmt: skip
    assert aired[2][2] == "Last words, über alles"
    assert abs(aired[2][0] - 4.6) <= TOLERANCE_S


def test_a_copy_channel_passes_a_files_captions_through(recording: Path) -> None:
    """The recording above is an H.264 file with A/53 captions: aired by a copy channel, its
    packets are copied untouched, so its captions reach the viewer as they were."""
    probe = probe_file(recording)
    assert probe.closed_captions
    clock = FakeClock()
    item = TimelineItem(
        clock.now_utc(), clock.now_utc() + timedelta(seconds=7), "programme", "rec",
        str(recording), 0, 1,
    )  # fmt: skip
    chunks: list[bytes] = []
    producer = make_producer(
        copy_channel([str(recording)]), ListTimeline([item]), clock, chunks.append,
        options=ProducerOptions(paced=False, max_frames=7 * FPS),
    )  # fmt: skip
    producer.start()
    producer.join(60)
    assert producer.error is None
    copied = recording.parent / "copied.ts"
    copied.write_bytes(b"".join(chunks))
    _matches(ffmpeg_captions(copied), EXPECTED)


def test_a_files_own_captions_pass_through_an_encode_channel(recording: Path) -> None:
    """The captioned recording aired again by an encoding channel from 2.5 s on: its own 608
    pairs go out with its pictures (a caption already on screen at the join is not)."""
    sources = caption_sources([], [], probe_file(recording).closed_captions)
    chosen = choose_caption(sources, None, None)
    assert chosen is not None
    assert chosen["kind"] == "a53"
    clock = FakeClock()
    item = TimelineItem(
        clock.now_utc(), clock.now_utc() + timedelta(seconds=4.5), "programme", "again",
        str(recording), 2500, 1, captions=CaptionTrack("a53"),
    )  # fmt: skip
    aired = ffmpeg_captions(_run([item], clock, 4.5, recording.parent / "again.ts"))
    _matches(aired, [(2.3, 3.3, EXPECTED[2][2]), (3.5, 4.3, EXPECTED[3][2])])


def test_a_channel_without_captions_carries_none(recording: Path) -> None:
    """Captions off: no caption data at all, not even a captioned file's own (the encoder is
    told not to copy a picture's caption side data)."""
    clock = FakeClock()
    item = TimelineItem(
        clock.now_utc(), clock.now_utc() + timedelta(seconds=3), "programme", "plain",
        str(recording), 0, 1,
    )  # fmt: skip
    plain = _run([item], clock, 3.0, recording.parent / "plain.ts", captions=False)
    assert ffmpeg_captions(plain) == []
    assert not probe_file(plain).closed_captions
