"""``hdhomerun_config save`` records a real channel over RTP: the runtime's producer (PyAV, x264)
feeds the fan-out, the station sends datagrams, libhdhomerun counts them and the file plays.

The control timeout is shorter than the recording: the stream lives on libhdhomerun's own
keep-alives (hdhomerun_config sends no control request while it saves).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
from datetime import timedelta
from pathlib import Path

import pytest

from retrovue.app import run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media
from tests.hdhr.conftest import station_config
from tests.hdhr.test_real_clients import run_tool
from tests.runtime.helpers import TEST_PROFILE

RECORD_S = 3.0  # past the control timeout: libhdhomerun keeps it alive once a second
pytestmark = [
    pytest.mark.usefixtures("fixed_ports"),
    pytest.mark.skipif(
        shutil.which("hdhomerun_config") is None or shutil.which("ffprobe") is None,
        reason="needs Debian's hdhomerun-config and ffmpeg",
    ),
]


def real_channel(clip: Path, clock: SystemClock) -> RuntimeStreamService:
    items = back_to_back(clock.now_utc() - timedelta(seconds=1), [(str(clip), 2.0, 0.0)] * 30)
    info = ChannelInfo("2", "RetroVue Two", TEST_PROFILE, x264_preset="ultrafast")
    setup = ChannelSetup(info, ListTimeline(items))
    return RuntimeStreamService(StaticDirectory({"2": setup}), clock, linger_s=0.0)


async def test_hdhomerun_config_save_records_a_playable_file_from_the_runtime(
    channels_db: Database, tmp_path: Path
) -> None:
    clip = make_media(tmp_path / "clip.mp4", MediaSpec(duration_s=2.0, width=320, height=180))
    clock = SystemClock()
    service = real_channel(clip, clock)
    out = tmp_path / "out.ts"
    config = station_config(enable_udp=True, control_timeout_s=2.0)
    async with run_station(
        config, database=channels_db, clock=clock, stream_service=service
    ) as station:
        code, text = await run_tool(
            "hdhomerun_config", "127.0.0.1", "set", "/tuner0/channel", "auto:2"
        )
        assert (code, text) == (0, "")
        save = await asyncio.create_subprocess_exec(
            "hdhomerun_config", "127.0.0.1", "save", "/tuner0", str(out),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(20):
            while not out.exists() or out.stat().st_size < 100_000:
                await asyncio.sleep(0.1)
        await asyncio.sleep(RECORD_S)  # longer than the control timeout
        assert station.state.tuners.busy_count() == 1
        live = service.live("2")
        assert live is not None
        assert len(live.hub.viewers) == 1  # one more viewer of the channel's fan-out
        code, target = await run_tool("hdhomerun_config", "127.0.0.1", "get", "/tuner0/target")
        assert target.startswith("rtp://127.0.0.1:")  # libhdhomerun asks for RTP first
        save.send_signal(signal.SIGINT)  # it sets the target to none and prints its counts
        _, err = await asyncio.wait_for(save.communicate(), 10)
        assert station.state.tuners.busy_count() == 0
        await service.close()
    counts = err.decode().strip().splitlines()[-1]
    received = int(counts.split()[0])
    assert received > 100
    assert counts == (
        f"{received} packets received, 0 overflow errors, 0 network errors, "
        "0 transport errors, 0 sequence errors"
    )
    # hdhomerun_config drops what arrived in the first 64 ms: the file starts mid-GOP, as a
    # recording from a real unit does, and the decoder skips to the first keyframe
    probe = await asyncio.create_subprocess_exec(
        "ffprobe", "-v", "quiet", "-select_streams", "v:0", "-count_frames",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(out),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    shown, _ = await asyncio.wait_for(probe.communicate(), 30)
    assert probe.returncode == 0
    video = json.loads(shown)["streams"][0]
    assert (video["codec_name"], video["width"], video["height"]) == (
        "h264", TEST_PROFILE.width, TEST_PROFILE.height,
    )  # fmt: skip
    assert int(video["nb_read_frames"]) > 25
