"""Cues from sidecar files (pysubs2) and what the feed does with a track it cannot read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrovue.runtime.captions.cea608 import EDM, EOC
from retrovue.runtime.captions.cues import CaptionLoadError, load_cues, sidecar_cues
from retrovue.runtime.captions.feed import CaptionFeed
from retrovue.runtime.captions.schedule import Cue
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.testing.media import MediaSpec, make_media

ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,\
0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\i1}Hello{\\i0} there\\Nsecond line
Comment: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,a note, not shown
Dialogue: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,{\\p1}m 0 0 l 10 0 10 10{\\p0}
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:02.000
<i>Bonjour</i> à tous

00:01:00.500 --> 00:01:01.000 align:start
Encore
"""


def test_styling_is_dropped_and_line_breaks_kept(tmp_path: Path) -> None:
    ass = tmp_path / "a.en.ass"
    ass.write_text(ASS, encoding="utf-8")
    assert sidecar_cues(ass) == [Cue(1000, 2500, "Hello there\nsecond line")]
    vtt = tmp_path / "a.fr.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    assert sidecar_cues(vtt) == [Cue(1000, 2000, "Bonjour à tous"), Cue(60500, 61000, "Encore")]


def test_a_windows_1252_srt_is_read(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 cr\u00e8me\n".encode("cp1252"))
    assert sidecar_cues(srt) == [Cue(1000, 2000, "Café crème")]


def test_a_cue_without_a_sensible_end_is_bounded(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:00,500\nBackwards\n", encoding="utf-8")
    assert sidecar_cues(srt) == [Cue(1000, 31000, "Backwards")]


def test_a_track_that_cannot_be_read_airs_without_captions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = CaptionTrack("sidecar", path=str(tmp_path / "gone.srt"))
    with pytest.raises(CaptionLoadError, match="cannot read the captions"):
        load_cues(str(tmp_path / "a.mkv"), gone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    item = TimelineItem(start, start + timedelta(seconds=2), "programme", "x",
                        str(tmp_path / "a.mkv"), captions=gone)  # fmt: skip
    feed = CaptionFeed(30)
    pairs = [feed.item_pair(item, n / 30) for n in range(10)]
    assert pairs == [EDM[0], EDM[0]] + [None] * 8  # cleared, then nothing
    assert "airing without captions" in caplog.text


def test_at_60_fps_a_pair_goes_out_every_other_picture(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n", encoding="utf-8")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    track = CaptionTrack("sidecar", path=str(srt))
    item = TimelineItem(start, start + timedelta(seconds=3), "programme", "x",
                        str(tmp_path / "a.mkv"), captions=track)  # fmt: skip
    feed = CaptionFeed(60)
    pairs = [feed.item_pair(item, n / 60) for n in range(180)]
    sent = [n for n, pair in enumerate(pairs) if pair is not None]
    assert sent
    assert all(n % 2 == 0 for n in sent)  # 30 pairs a second, as 608 runs
    eoc = [n for n, pair in enumerate(pairs) if pair == EOC[0]]
    assert eoc[0] == 60  # shown at 1 s


def test_an_embedded_track_that_fails_airs_without_captions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    media = make_media(tmp_path / "a.mkv", MediaSpec(duration_s=0.5, width=64, height=36))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    before = TimelineItem(start, start + timedelta(seconds=1), "slate", "gap")
    track = CaptionTrack("embedded", stream_index=7)
    bad = TimelineItem(start + timedelta(seconds=1), start + timedelta(seconds=2), "programme",
                       "x", str(media), captions=track)  # fmt: skip
    feed = CaptionFeed(30)
    feed.request(bad)  # opened ahead of its boundary
    feed.item_pair(before, 0.0)
    pairs = [feed.item_pair(bad, n / 30) for n in range(5)]
    feed.close()
    assert pairs == [EDM[0], EDM[0], None, None, None]
    assert "airing without captions" in caplog.text
