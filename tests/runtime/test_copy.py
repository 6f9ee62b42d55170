"""Stream copy: one continuous TS from files' packets, slates encoded at the files' setup."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from retrovue.clock import FakeClock, SystemClock
from retrovue.runtime.copy.engine import CopyEngine
from retrovue.runtime.copy.source import CopySource
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.encode.engine import EncodeEngine
from retrovue.runtime.isolation.launch import ProcessLauncher
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.core import Playout
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, back_to_back
from retrovue.runtime.producer import make_producer
from retrovue.runtime.service import RuntimeStreamService, ViewerSession
from retrovue.testing.tscheck import check_ts
from tests.runtime.copykit import (
    FPS,
    CopyClips,
    CopyRun,
    ScriptedOperation,
    copy_channel,
    keyframe_before,
    make_copy_clips,
    pts_gaps,
    run_copy,
)
from tests.runtime.helpers import TEST_PROFILE, rms

JOINED_S = 0.9  # the viewer tunes this long after the first item began


@pytest.fixture(scope="module")
def copy_clips(tmp_path_factory: pytest.TempPathFactory) -> CopyClips:
    return make_copy_clips(tmp_path_factory.mktemp("copy-media"))


@pytest.fixture(scope="module")
def boundaries(copy_clips: CopyClips) -> tuple[CopyRun, list[TimelineItem]]:
    clock = FakeClock()
    mp4, mkv, ts = copy_clips.mp4, copy_clips.mkv, copy_clips.ts
    plan = [
        (mp4, 1.5, 0.4), (mkv, 2.0, 0.7), (mp4, 1.2, 0.0), (mkv, 1.6, 1.3), (ts, 1.0, 1.2),
        (mp4, 1.0, 2.2),
    ]  # fmt: skip
    items = back_to_back(clock.now_utc() - timedelta(seconds=JOINED_S), plan)
    total_s = sum(d for _, d, _ in plan) - JOINED_S
    frames = round(total_s * FPS) - 3  # the run ends in the last item
    run = run_copy(copy_channel([mp4, mkv, ts]), items, clock, frames=frames)
    return run, items


def _runs(run: CopyRun) -> list[list[tuple[float, int, int]]]:
    """Consecutive output pictures of one tag."""
    runs: list[list[tuple[float, int, int]]] = []
    for frame in run.frames:
        if runs and runs[-1][-1][1] == frame[1]:
            runs[-1].append(frame)
        else:
            runs.append([frame])
    return runs


def test_copy_is_one_continuous_ts_across_boundaries(
    boundaries: tuple[CopyRun, list[TimelineItem]],
) -> None:
    run, items = boundaries
    report = run.report
    assert report.errors == []  # continuity, PCR, DTS increasing, audio back to back, first IDR
    assert report.pmt_versions == {0}
    assert report.pat_versions == {0}
    assert 0 < report.max_pcr_gap_ms <= 100
    assert len(report.audio_pids) == 1
    assert all(gap <= 2 for gap in pts_gaps(report))  # at most the pictures cut at a boundary
    assert len(set(report.video_pts)) == len(report.video_pts)
    assert all(d <= p for p, d in zip(report.video_pts, report.video_dts, strict=True))
    assert [played[1] for played in run.producer.played] == items
    assert run.producer.boundaries == len(items) - 1
    assert run.producer.faults == 0
    first_pids = [((run.ts[i + 1] & 0x1F) << 8) | run.ts[i + 2] for i in (0, 188, 376)]
    assert first_pids == [0x11, 0x00, 0x1000]  # the tables go out before any packet


def test_copy_shows_each_programme_from_its_keyframe_on_schedule(
    boundaries: tuple[CopyRun, list[TimelineItem]], copy_clips: CopyClips
) -> None:
    run, items = boundaries
    runs = _runs(run)
    assert len(runs) == len(items)
    start = items[0].start_utc + timedelta(seconds=JOINED_S)
    for item, shown in zip(items, runs, strict=True):
        assert shown[0][1] == copy_clips.tags[item.file_path or ""]
        begins_s = max(0.0, (item.start_utc - start).total_seconds())
        ends_s = (item.end_utc - start).total_seconds()
        assert begins_s - 0.1 <= shown[0][0] <= begins_s + 1e-6, item.title
        assert ends_s - 0.2 <= shown[-1][0] < ends_s, item.title
        joined = item.file_position_s(start + timedelta(seconds=begins_s))
        assert shown[0][2] == keyframe_before(item.file_path or "", joined), item.title
        for seconds, _, frame in shown:  # every picture in order, none repeated or skipped
            assert frame - shown[0][2] == round((seconds - shown[0][0]) * FPS)


def test_copy_audio_is_continuous_and_carries_the_programmes(
    boundaries: tuple[CopyRun, list[TimelineItem]],
) -> None:
    run, _ = boundaries
    pictures_s = run.frames[-1][0] + 1 / FPS
    assert abs(len(run.audio) / 48000 - pictures_s) < 0.1
    assert abs(run.audio_start_s) < 0.05
    for second in range(int(pictures_s)):
        window = run.audio[second * 48000 + 2400 : (second + 1) * 48000 - 2400]
        assert rms(window) > 0.05, f"second {second} is silent"


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")
def test_the_ffmpeg_cli_decodes_the_copy_output_without_errors(
    boundaries: tuple[CopyRun, list[TimelineItem]], tmp_path: Path
) -> None:
    run, _ = boundaries
    path = tmp_path / "copy.ts"
    path.write_bytes(run.ts)
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert decoded.returncode == 0
    assert decoded.stderr == ""
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
         "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0",
         str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert probed.stderr == ""
    lines = {line for line in probed.stdout.split() if line}  # the stream, in its programme too
    assert lines == {f"h264,320,180,{run.report.video_frames}"}


def _is_slate(run: CopyRun, seconds: float, tags: set[int]) -> bool:
    return run.shown_at(seconds)[0] not in tags


def test_gaps_missing_and_broken_files_become_slates_on_the_same_clock(
    copy_clips: CopyClips, tmp_path: Path
) -> None:
    data = Path(copy_clips.mkv).read_bytes()
    truncated = tmp_path / "truncated.mkv"
    truncated.write_bytes(data[: len(data) // 3])
    clock = FakeClock()
    mp4, mkv = copy_clips.mp4, copy_clips.mkv
    plan = [
        (mp4, 1.0, 0.0),
        (None, 0.8, 0.0),  # a gap in the playlog
        (str(tmp_path / "missing.mp4"), 0.8, 0.0),
        (str(truncated), 2.0, 0.0),
        (mkv, 1.0, 0.0),
        (mp4, 0.8, 0.0),  # refused by the play-time gate
        (mkv, 0.6, 0.0),
    ]
    items = back_to_back(clock.now_utc(), plan)
    gate = ScriptedOperation(refused=frozenset({"item 5"}))
    channel = copy_channel([mp4, mkv])
    run = run_copy(channel, items, clock, frames=round(7.0 * FPS), operation=gate)
    report = run.report
    assert report.errors == []
    assert report.max_pcr_gap_ms <= 100
    assert len(run.frames) == report.video_frames  # every slate picture decodes
    assert all(gap <= 3 for gap in pts_gaps(report))
    assert run.producer.faults == 3  # missing, truncated, refused
    tags = set(copy_clips.tags.values())
    for seconds in (1.1, 1.7, 1.9, 2.5, 4.2, 5.7, 6.3):  # gap, missing, truncated, refused
        assert _is_slate(run, seconds, tags), seconds
    assert run.shown_at(0.5)[0] == 21
    assert run.shown_at(2.8)[0] == 22  # the truncated file plays what it has
    assert run.shown_at(4.92) == (22, 8)  # the next file starts on time
    assert run.shown_at(6.52) == (22, 3)
    for begin_s, end_s in ((1.1, 1.7), (1.9, 2.5), (4.0, 4.5), (5.7, 6.3)):
        window = run.audio[round(begin_s * 48000) : round(end_s * 48000)]
        assert len(window) == round((end_s - begin_s) * 48000)  # sound goes on: silence
        assert rms(window) < 0.01
    starts = [round((i.start_utc - items[0].start_utc).total_seconds() * FPS) for i in items]
    idr_frames = {round((p - min(report.video_pts)) / 3600) for p in report.idr_pts}
    assert {starts[1], starts[2], starts[5]} <= idr_frames  # each slate starts with an IDR


@pytest.mark.parametrize("mode", ["emergency", "guide"])
def test_a_director_mode_replaces_copied_programming_with_an_encoded_slate(
    copy_clips: CopyClips, mode: str
) -> None:
    clock = FakeClock()
    start = clock.now_utc()
    item = TimelineItem(start, start + timedelta(seconds=4), "programme", "Show", copy_clips.mp4)
    operation = ScriptedOperation(20, 60, mode=mode)  # from output frame 20 to 60
    channel = copy_channel([copy_clips.mp4])
    run = run_copy(channel, [item], clock, frames=3 * FPS, operation=operation)
    assert run.report.errors == []
    assert run.report.max_pcr_gap_ms <= 100
    codes = [f[1:] for f in run.frames]
    on = next(i for i, code in enumerate(codes) if code[0] != 21)
    off = next(i for i, code in enumerate(codes) if i > on and code[0] == 21)
    assert 20 <= on <= 22
    assert 60 <= off <= 62
    assert run.frames[off][0] == pytest.approx(2.4, abs=0.05)  # where the schedule is by now
    assert codes[off] == (21, keyframe_before(copy_clips.mp4, 2.4))  # its keyframe before
    red = _red_heads(run.ts)
    assert all(red[on:off]) == (mode == "emergency")
    assert not any(red[:on])
    assert not any(red[off:])


def _red_heads(data: bytes) -> list[bool]:
    """Per output picture: is the top band red (the emergency slate's heading)?"""
    from io import BytesIO

    import av

    heads: list[bool] = []
    with av.open(BytesIO(data), format="mpegts") as container:
        for frame in container.decode(video=0):
            row = bytes(frame.planes[2])[: frame.width // 2]
            heads.append(sum(row) / len(row) > 200)
    return heads


def test_paced_copy_never_goes_quiet_through_slates(copy_clips: CopyClips, tmp_path: Path) -> None:
    clock = SystemClock()
    now = clock.now_utc()
    mp4 = copy_clips.mp4
    gone = str(tmp_path / "gone.mp4")
    plan = [(mp4, 0.6, 0.0), (None, 0.8, 0.0), (gone, 0.8, 0.0), (mp4, 1.0, 0.0)]
    items = back_to_back(now, plan)
    arrivals: list[float] = []
    run = run_copy(
        copy_channel([mp4]), items, clock, frames=round(3.2 * FPS), paced=True,
        publish=lambda _: arrivals.append(clock.monotonic_s()),
    )  # fmt: skip
    assert run.report.errors == []
    waits = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(waits) < 0.5  # bytes keep flowing (a DVR gives up after about 2 s)
    assert arrivals[-1] - arrivals[0] > 3.2 - 1.5 - 0.3  # paced at 1x after the burst


def test_make_producer_picks_the_engine_by_profile(copy_clips: CopyClips) -> None:
    clock = FakeClock()
    timeline = ListTimeline([])
    copied = make_producer(copy_channel([copy_clips.mp4]), timeline, clock, lambda _: None)
    normalised = make_producer(
        ChannelInfo("9", "Nine", TEST_PROFILE), timeline, clock, lambda _: None
    )
    assert isinstance(copied.engine, CopyEngine)
    assert isinstance(normalised.engine, EncodeEngine)


def test_a_restarted_copy_producer_continues_the_same_stream(copy_clips: CopyClips) -> None:
    clock = FakeClock()
    mp4, mkv = copy_clips.mp4, copy_clips.mkv
    items = back_to_back(clock.now_utc(), [(mp4, 1.0, 0.0), (mkv, 1.0, 0.0), (mp4, 2.0, 0.0)])
    channel = copy_channel([mp4, mkv])
    chunks: list[bytes] = []

    class Crash:
        def item_started(self, item: TimelineItem, at_utc: datetime, offset_ms: int) -> None:
            if item.title == "item 1":
                raise RuntimeError("a crash in the producer thread")

        def item_finished(self, *args: object) -> None:
            pass

    first = make_producer(
        channel, ListTimeline(items), clock, chunks.append,
        options=ProducerOptions(paced=False), hooks=Crash(),
    )  # fmt: skip
    first.start()
    assert first._thread is not None
    first._thread.join(30)
    assert isinstance(first.error, RuntimeError)
    assert first.output is not None  # kept open for the restart
    second = make_producer(
        channel, ListTimeline(items), clock, chunks.append,
        options=ProducerOptions(paced=False, max_frames=40), output=first.output,
    )  # fmt: skip
    second.start()
    assert second._thread is not None
    second._thread.join(30)
    assert second.error is None
    report = check_ts(b"".join(chunks))
    assert report.errors == []  # counters, PCR, DTS and audio run on across the restart
    assert report.pmt_versions == {0}
    assert report.video_frames >= 25 + 40


async def test_a_copy_channel_through_the_service_lets_a_late_viewer_join_on_a_keyframe(
    copy_clips: CopyClips,
) -> None:
    clock = SystemClock()
    mp4, mkv = copy_clips.mp4, copy_clips.mkv
    items = back_to_back(clock.now_utc() - timedelta(seconds=0.5), [(mp4, 3.0, 0.0), (mkv, 3.0, 0)])
    channel = copy_channel([mp4, mkv])
    directory = StaticDirectory({"8": ChannelSetup(channel, ListTimeline(items))})
    service = RuntimeStreamService(directory, clock, linger_s=1.0)
    first = await service.open("8", client="a")
    early = await _read(first, 40_000)
    second = await service.open("8", client="b")
    late, more = await asyncio.gather(_read(second, 40_000), _read(first, 40_000))
    live = service.live("8")
    assert live is not None
    assert isinstance(live.producer, Playout)
    assert isinstance(live.producer.engine, CopyEngine)
    for data in (early + more, late):
        report = check_ts(data[: len(data) - len(data) % 188])
        assert report.errors == []
        assert report.idr_pts, "no keyframe"
    assert check_ts(late[: 188 * 40]).video_pid == 0x100  # fresh PAT/PMT at the join
    await first.close()
    await second.close()
    await service.close()


async def _read(session: ViewerSession, at_least_bytes: int) -> bytes:
    data = bytearray()
    async with asyncio.timeout(20):
        async for chunk in session:
            data += chunk
            if len(data) >= at_least_bytes:
                break
    return bytes(data)


def test_a_slow_file_is_covered_by_the_tuning_slate_then_copied(
    copy_clips: CopyClips, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = CopySource.open

    def slow_open(source: CopySource, start_s: float) -> CopySource:
        threading.Event().wait(0.8)  # a slow disk or network share
        return opened(source, start_s)

    monkeypatch.setattr(CopySource, "open", slow_open)
    clock = SystemClock()
    now = clock.now_utc()
    item = TimelineItem(now, now + timedelta(seconds=4), "programme", "slow", copy_clips.mkv)
    run = run_copy(copy_channel([copy_clips.mkv]), [item], clock, frames=3 * FPS, paced=True)
    assert run.report.errors == []
    assert run.report.max_pcr_gap_ms <= 100
    tags = [tag for _, tag, _ in run.frames]
    assert tags[0] != 22  # the tuning slate came first, at once
    first = tags.index(22)
    assert 0.6 <= run.frames[first][0] <= 2.0  # the slate ran ahead of the clock meanwhile
    assert set(tags[first:]) == {22}
    assert run.frames[first][2] == keyframe_before(copy_clips.mkv, run.frames[first][0])


async def test_a_copy_channel_runs_in_a_worker_process(copy_clips: CopyClips) -> None:
    clock = SystemClock()
    mp4, mkv = copy_clips.mp4, copy_clips.mkv
    items = back_to_back(clock.now_utc(), [(mp4, 1.0, 0.0), (None, 0.5, 0.0), (mkv, 3.0, 0.0)])
    directory = StaticDirectory({"8": ChannelSetup(copy_channel([mp4, mkv]), ListTimeline(items))})
    service = RuntimeStreamService(directory, clock, launcher=ProcessLauncher(warm=False))
    session = await service.open("8", client="a")
    data = await _read(session, 150_000)
    live = service.live("8")
    assert live is not None
    assert isinstance(getattr(live.producer, "pid", None), int)  # not in this process
    report = check_ts(data[: len(data) - len(data) % 188])
    assert report.errors == []
    assert report.idr_pts
    await session.close()
    await service.close()
