"""Producers as threads of one process vs as separate processes: wall, CPU, memory, start-up.

Runs N identical PyAV transcodes (480p, x264 ultrafast, AAC, ~20 s of generated media each,
muxed to MPEG-TS into a discarding sink) in three shapes, side by side in one run:

- ``threads``: N threads in one process (PyAV releases the GIL in codec work);
- ``spawn``: N fresh processes started with ``multiprocessing`` "spawn" (what a server that
  already runs threads must use; the child imports Python, PyAV and FFmpeg before it can start);
- ``warm``: N processes spawned ahead of time that wait for a job (a pool of ready workers).

Each shape runs in its own driver process so that its peak RSS is its own. Reported:
wall seconds, CPU seconds (user + system, children included), peak RSS (the driver's own for
threads; driver + the sum of every worker's peak for processes), and start-up latency: from the
request to the first encoded video packet, median and worst over the N workers.

    /work/venv/bin/python bench/isolation.py --n 2 --n 4
"""

from __future__ import annotations

import argparse
import ctypes
import json
import multiprocessing as mp
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import av

from retrovue.clock import SystemClock
from retrovue.testing.media import MediaSpec, make_media

WIDTH, HEIGHT = 854, 480
FPS = Fraction(30)
_CLOCK = SystemClock()


CHUNK_BYTES = 64 * 1024


class _ChunkSink:
    """A write-only TS sink (no seek) that hands 64 KiB chunks to ``deliver`` (b"" at the end):
    to a queue read by a server thread (threads) or a pipe read by the server (processes)."""

    def __init__(self, deliver: Callable[[bytes], object]) -> None:
        self._deliver = deliver
        self._buffer = bytearray()
        self.bytes_written = 0

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.bytes_written += len(data)
        if len(self._buffer) >= CHUNK_BYTES:
            self._deliver(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def close(self) -> None:
        if self._buffer:
            self._deliver(bytes(self._buffer))
        self._deliver(b"")


def _drain(receive: Callable[[], bytes], counts: list[int]) -> None:
    """The server side: read chunks until the end marker, counting bytes."""
    while chunk := receive():
        counts.append(len(chunk))


def _output(sink: _ChunkSink, codec_threads: int) -> tuple[Any, Any, Any]:
    out = av.open(
        sink,
        "w",
        format="mpegts",
        container_options={"max_delay": "700000", "max_interleave_delta": "1000000"},
    )
    video = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast", "bf": "0"})
    video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    video.codec_context.gop_size = 60
    video.codec_context.thread_count = codec_threads
    audio = out.add_stream("aac", rate=48000)
    audio.layout = "stereo"
    return out, video, audio


def transcode(path: str, codec_threads: int, t0: float, sink: _ChunkSink) -> dict[str, float]:
    """Decode ``path``, encode 480p H.264 + AAC to MPEG-TS; return first-packet time and bytes."""
    source = av.open(path)
    out, video, audio = _output(sink, codec_threads)
    first_packet_s = -1.0
    source.streams.video[0].codec_context.thread_count = codec_threads
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
    scaler = None
    for frame in source.decode(source.streams.video[0], source.streams.audio[0]):
        if isinstance(frame, av.VideoFrame):
            if scaler is None:
                scaler = av.video.reformatter.VideoReformatter()
            scaled = scaler.reformat(frame, WIDTH, HEIGHT, "yuv420p")
            scaled.pict_type = av.video.frame.PictureType.NONE
            packets = video.encode(scaled)
            if packets and first_packet_s < 0:
                first_packet_s = _CLOCK.monotonic_s() - t0
        else:
            packets = [p for f in resampler.resample(frame) for p in audio.encode(f)]
        out.mux(packets)
    out.mux(video.encode(None))
    out.mux(audio.encode(None))
    out.close()
    source.close()
    sink.close()
    return {"first_packet_s": first_packet_s, "bytes": float(sink.bytes_written)}


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Job:
    path: str
    codec_threads: int
    crash_after_s: float = -1.0  # >= 0: worker 0 dereferences NULL this long after its start


def _maybe_crash(job: Job, index: int) -> None:
    if index == 0 and job.crash_after_s >= 0:
        threading.Event().wait(job.crash_after_s)
        ctypes.string_at(0)  # a real segmentation fault in native code


def _worker_main(
    job: Job, index: int, t0: float, results: Any, conn: Any, ready: Any = None, go: Any = None
) -> None:
    if go is not None:  # warm worker: imports done, say so and wait for the request
        ready.put(True)
        go.wait()
        t0 = _CLOCK.monotonic_s()
    threading.Thread(target=_maybe_crash, args=(job, index), daemon=True).start()
    result = transcode(job.path, job.codec_threads, t0, _ChunkSink(conn.send_bytes))
    result["peak_rss_mb"] = _peak_rss_mb()
    results.put(result)


def _run_threads(n: int, job: Job) -> tuple[list[dict[str, float]], float]:
    results: list[dict[str, float]] = []
    lock = threading.Lock()

    def body(t0: float, chunks: Queue[bytes]) -> None:
        result = transcode(job.path, job.codec_threads, t0, _ChunkSink(chunks.put))
        with lock:
            results.append(result)

    t0 = _CLOCK.monotonic_s()
    queues: list[Queue[bytes]] = [Queue(maxsize=64) for _ in range(n)]
    counts: list[int] = []
    threads = [threading.Thread(target=body, args=(t0, q)) for q in queues]
    readers = [threading.Thread(target=_drain, args=(q.get, counts)) for q in queues]
    for thread in [*readers, *threads]:
        thread.start()
    threading.Thread(target=_maybe_crash, args=(job, 0), daemon=True).start()
    for thread in [*threads, *readers]:
        thread.join()
    _DELIVERED[0] = sum(counts)
    return results, 0.0


def _collect(procs: list[Any], queue: Any) -> list[dict[str, float]]:
    """Results of the workers that finish; a worker that dies just sends none."""
    results: list[dict[str, float]] = []
    while True:
        try:
            results.append(queue.get(timeout=0.2))
            continue
        except Empty:
            pass
        if all(not p.is_alive() for p in procs):
            break
    for proc in procs:
        proc.join()
    return results


def _run_processes(n: int, job: Job, *, warm: bool) -> tuple[list[dict[str, float]], float]:
    """The workers' results and the sum of their peak RSS."""
    ctx = mp.get_context("spawn")
    queue, ready = ctx.Queue(), ctx.Queue()
    go = ctx.Event() if warm else None
    t0 = _CLOCK.monotonic_s()
    pipes = [ctx.Pipe(duplex=False) for _ in range(n)]
    procs = [
        ctx.Process(target=_worker_main, args=(job, i, t0, queue, send, ready, go))
        for i, (_, send) in enumerate(pipes)
    ]
    for proc in procs:
        proc.start()
    counts: list[int] = []
    readers = [threading.Thread(target=_drain_pipe, args=(recv, counts)) for recv, _ in pipes]
    for reader in readers:
        reader.start()
    for _, send in pipes:
        send.close()  # the children hold their ends; EOF when a child dies
    if go is not None:
        for _ in procs:
            ready.get()
        _STARTED[0] = _CLOCK.monotonic_s()
        go.set()
    results = _collect(procs, queue)
    for reader in readers:
        reader.join()
    _DELIVERED[0] = sum(counts)
    return results, sum(r["peak_rss_mb"] for r in results)


_STARTED = [0.0]
_DELIVERED = [0]


def _drain_pipe(recv: Any, counts: list[int]) -> None:
    def receive() -> bytes:
        try:
            return bytes(recv.recv_bytes())
        except EOFError:  # the worker died
            return b""

    _drain(receive, counts)


def drive(mode: str, n: int, job: Job) -> dict[str, float]:
    """Run one shape in this (fresh) process and measure it."""
    cpu0 = _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN)
    start = _STARTED[0] = _CLOCK.monotonic_s()
    if mode == "threads":
        results, workers_rss = _run_threads(n, job)
    else:
        results, workers_rss = _run_processes(n, job, warm=mode == "warm")
    wall_s = _CLOCK.monotonic_s() - (_STARTED[0] if mode == "warm" else start)
    cpu_s = _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN) - cpu0
    firsts = [r["first_packet_s"] for r in results] or [float("nan")]
    return {
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "peak_rss_mb": _peak_rss_mb() + workers_rss,
        "first_packet_p50_s": statistics.median(firsts),
        "first_packet_max_s": max(firsts),
        "finished": float(len(results)),
        "delivered_mb": _DELIVERED[0] / 1e6,
        "driver_exit": 0.0,
    }


def _drive_in_child(mode: str, n: int, job: Job) -> dict[str, float]:
    args = [sys.executable, __file__, "--drive", mode, "--n", str(n), "--media", job.path]
    args += ["--codec-threads", str(job.codec_threads), "--crash-after", str(job.crash_after_s)]
    done = subprocess.run(args, check=False, capture_output=True, text=True)
    if done.returncode != 0:  # the whole driver (the "server") died
        return {"finished": 0.0, "driver_exit": float(done.returncode)}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median_run(mode: str, n: int, job: Job, repeat: int) -> dict[str, float]:
    runs = [_drive_in_child(mode, n, job) for _ in range(repeat)]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def _table(rows: list[tuple[int, str, dict[str, float]]]) -> None:
    header = f"{'N':>2}  {'shape':<8} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>12}"
    header += f" {'first pkt p50 s':>16} {'first pkt max s':>16} {'TS MB to server':>16}"
    print(header)
    for n, mode, m in rows:
        line = f"{n:>2}  {mode:<8} {m['wall_s']:>7.2f} {m['cpu_s']:>7.2f} {m['peak_rss_mb']:>12.0f}"
        line += f" {m['first_packet_p50_s']:>16.3f} {m['first_packet_max_s']:>16.3f}"
        line += f" {m['delivered_mb']:>16.1f}"
        print(line, flush=True)


def _crash_table(n: int, job: Job) -> None:
    crashing = Job(job.path, job.codec_threads, crash_after_s=1.0)
    print(f"\ncrash: worker 0 of {n} dereferences NULL (ctypes.string_at(0)) 1 s after it starts")
    for mode in ("threads", "spawn"):
        m = _drive_in_child(mode, n, crashing)
        server = "alive" if m["driver_exit"] == 0 else f"KILLED (exit {m['driver_exit']:.0f})"
        print(f"{mode:<8} server process {server}; {m['finished']:.0f}/{n} transcodes finished")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="workers (repeatable)")
    parser.add_argument("--duration", type=float, default=20.0, help="media seconds")
    parser.add_argument("--codec-threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per shape (median shown)")
    parser.add_argument("--media", help=argparse.SUPPRESS)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--crash-after", type=float, default=-1.0, help=argparse.SUPPRESS)
    ns = parser.parse_args()
    counts = ns.n or [2, 4]
    if ns.drive:
        job = Job(ns.media, ns.codec_threads, ns.crash_after)
        print(json.dumps(drive(ns.drive, counts[0], job)))
        return
    with tempfile.TemporaryDirectory() as folder:
        spec = MediaSpec(duration_s=ns.duration, width=WIDTH, height=HEIGHT, fps=FPS, gop=60)
        media = make_media(Path(folder) / "source.mp4", spec)
        job = Job(str(media), ns.codec_threads)
        print(
            f"{ns.duration:.0f} s of {WIDTH}x{HEIGHT} media per worker, x264 ultrafast + AAC, "
            f"{ns.codec_threads} codec thread(s), median of {ns.repeat} run(s)"
        )
        rows = []
        for n in counts:
            for mode in ("threads", "spawn", "warm"):
                rows.append((n, mode, _median_run(mode, n, job, ns.repeat)))
        _table(rows)
        _crash_table(max(counts), job)


if __name__ == "__main__":
    main()
