"""A tune's first bytes: the stream's tables from the server the moment a channel starts, before
its producer has made anything; one continuous stream after them (one set of tables, counters
in order); and a worker forked for a tune does not import the server's main script again."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from retrovue.clock import Clock, SystemClock
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import ThreadLauncher
from retrovue.runtime.mpegts import psi_preamble
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.engine import ReusableOutput
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media
from retrovue.testing.tscheck import check_ts
from tests.runtime.helpers import TEST_PROFILE


class SilentProducer:
    """A producer that never makes a byte (a worker still starting)."""

    output = None
    error = None
    boundaries = faults = 0
    running = True

    def start(self) -> None:
        return None

    def stop(self, timeout_s: float = 5.0) -> None:
        del timeout_s

    def speed(self) -> float:
        return 0.0


class SilentLauncher:
    def __init__(self) -> None:
        self.options: list[ProducerOptions] = []

    def ready(self, timeout_s: float) -> bool:
        del timeout_s
        return True

    def launch(
        self,
        setup: ChannelSetup,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions,
        on_exit: Callable[[BaseException | None], None],
        operation: ChannelOperation | None,
        output: ReusableOutput | None,
    ) -> SilentProducer:
        self.options.append(options)
        return SilentProducer()


def _service(
    launcher: SilentLauncher | ThreadLauncher, setup: ChannelSetup
) -> RuntimeStreamService:
    return RuntimeStreamService(
        StaticDirectory({"5": setup}), SystemClock(), linger_s=0.0, launcher=launcher
    )


async def test_the_tables_go_out_before_the_producer_makes_anything() -> None:
    info = ChannelInfo("5", "Five Alive", TEST_PROFILE)
    launcher = SilentLauncher()
    service = _service(launcher, ChannelSetup(info, ListTimeline([])))
    session = await service.open("5", client="dvr")
    first = await asyncio.wait_for(anext(aiter(session)), 5)
    assert first == psi_preamble("Five Alive")
    assert [options.preamble for options in launcher.options] == [False]  # no second copy
    await session.close()
    await service.close()


async def test_the_stream_after_the_tables_is_one_continuous_stream(tmp_path: Path) -> None:
    clip = make_media(tmp_path / "clip.mkv", MediaSpec(duration_s=3.0, width=256, height=144))
    now = SystemClock().now_utc()
    item = TimelineItem(now, now + timedelta(seconds=3), "programme", "Clip", str(clip))
    info = ChannelInfo("5", "Five Alive", TEST_PROFILE, x264_preset="ultrafast")
    service = _service(ThreadLauncher(), ChannelSetup(info, ListTimeline([item])))
    session = await service.open("5", client="dvr")
    data = bytearray()
    async with asyncio.timeout(30):
        async for chunk in session:
            data += chunk
            if len(data) > 188 * 300:  # a second or so of the paced stream
                break
    await session.close()
    await service.close()
    report = check_ts(bytes(data[: len(data) - len(data) % 188]))
    assert data.startswith(psi_preamble("Five Alive"))
    assert report.errors == []
    assert report.idr_pts
    assert len(report.pmt_versions) == 1


MAIN_SCRIPT = """
import pathlib, sys, multiprocessing
sys.path.insert(0, {folder!r})
import marker  # counts its imports in marker.log
from retrovue.runtime.isolation.supervisor import _context, main_script_imports

def child():
    return None

if __name__ == "__main__":
    print(main_script_imports())
    context = _context()
    for _ in range(3):
        process = context.Process(target=child)
        process.start()
        process.join(30)
"""


def test_a_forked_worker_does_not_import_the_main_scripts_modules_again(tmp_path: Path) -> None:
    log = tmp_path / "marker.log"
    (tmp_path / "marker.py").write_text(f"open({str(log)!r}, 'a').write('imported\\n')\n")
    script = tmp_path / "main.py"
    script.write_text(MAIN_SCRIPT.format(folder=str(tmp_path)))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}  # where the fork server finds it too
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True,
        env=env,
    )  # fmt: skip
    assert "'marker'" in done.stdout
    # once in the server, once in the fork server; never in the three workers
    assert log.read_text().count("imported") == 2, done.stderr


def test_thread_launchers_are_ready_at_once() -> None:
    assert ThreadLauncher().ready(0.0)
