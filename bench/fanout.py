"""Fan-out cost: server CPU for one channel watched by 1 viewer vs 20 viewers over real HTTP.

One paced producer (SystemClock, profile 480p, x264 ultrafast, a generated clip looped) serves its
viewers through the runtime's hub and an aiohttp handler on 127.0.0.1; the viewers are ``curl``
processes writing to /dev/null (their CPU is not counted). For each run: tune the viewers, let it
settle, then measure this process's CPU seconds (all threads) over a window of wall time.
Runs alternate 1, N, 1, N, ... so machine noise hits both alike.

    /work/venv/bin/python bench/fanout.py --viewers 20 --window-s 15 --rounds 3
    /work/venv/bin/python bench/fanout.py --viewers 20 --window-s 15 --rounds 3 --isolation process

With ``--isolation process`` the producer runs in a worker process (as ``retrovue serve`` runs
it) and the CPU counted is the server's plus the worker's (``/proc/PID/stat``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
from pathlib import Path

from aiohttp import web

from retrovue.clock import SystemClock
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import Launcher, ProcessLauncher, ThreadLauncher
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.profiles import profile_named
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media

PORT = 18931


def cpu_s(worker_pid: int | None = None) -> float:
    times = os.times()
    used = times.user + times.system
    if worker_pid is not None:
        fields = Path(f"/proc/{worker_pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


async def serve(service: RuntimeStreamService) -> web.AppRunner:
    async def stream(request: web.Request) -> web.StreamResponse:
        session = await service.open("1", client=request.remote or "?")
        response = web.StreamResponse(headers={"Content-Type": "video/mp2t"})
        await response.prepare(request)
        try:
            async for chunk in session:
                await response.write(chunk)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            await session.close()
        return response

    app = web.Application()
    app.router.add_get("/stream", stream)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", PORT).start()
    return runner


async def measure(
    viewers: int, window_s: float, settle_s: float, service: RuntimeStreamService
) -> tuple[float, int]:
    clients = [
        subprocess.Popen(
            ["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORT}/stream"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(viewers)
    ]
    try:
        await asyncio.sleep(settle_s)
        channel = service.live("1")
        pid = getattr(channel.producer, "pid", None) if channel is not None else None
        start = cpu_s(pid)
        await asyncio.sleep(window_s)
        used = cpu_s(pid) - start
    finally:
        for client in clients:
            client.terminate()
        for client in clients:
            client.wait(5)
    dropped = sum(1 for client in clients if client.returncode not in (-15, 0))
    return used / window_s, dropped


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--window-s", type=float, default=15.0)
    parser.add_argument("--settle-s", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--isolation", choices=["thread", "process"], default="thread")
    args = parser.parse_args()
    launcher: Launcher = ProcessLauncher() if args.isolation == "process" else ThreadLauncher()
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as folder:
        clip = make_media(
            Path(folder) / "loop.mp4", MediaSpec(duration_s=10.0, width=640, height=360)
        )
        items = back_to_back(clock.now_utc(), [(str(clip), 10.0, 0.0)] * 200)
        info = ChannelInfo("1", "Bench", profile_named("480p"), x264_preset="ultrafast")
        directory = StaticDirectory({"1": ChannelSetup(info, ListTimeline(items))})
        service = RuntimeStreamService(directory, clock, linger_s=600.0, launcher=launcher)
        runner = await serve(service)
        try:
            results: dict[int, list[float]] = {1: [], args.viewers: []}
            for round_index in range(args.rounds):
                for count in (1, args.viewers):
                    load, dropped = await measure(count, args.window_s, args.settle_s, service)
                    results[count].append(load)
                    print(
                        f"round {round_index + 1}: {count:2d} viewer(s): "
                        f"{load:.3f} CPU-s per s ({args.isolation}), dropped {dropped}",
                        flush=True,
                    )
            one = sum(results[1]) / len(results[1])
            many = sum(results[args.viewers]) / len(results[args.viewers])
            print(f"mean  1 viewer : {one:.3f} CPU-s/s")
            print(f"mean {args.viewers} viewers: {many:.3f} CPU-s/s")
            print(f"extra for {args.viewers} viewers: {(many - one) / one:+.1%}")
        finally:
            await service.close()
            await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
