"""Tune-in as a DVR lives it: ``retrovue serve`` in a subprocess, tuned over real HTTP.

    .venv/bin/python bench/tune_e2e.py [--tunes 5] [--isolation process thread] [--cache DIR]

The bench builds a station with the CLI (SQLite, a filesystem source of three one-minute files
shaped like real libraries, see ``tune_sources.py``; one channel each, 720p veryfast, 1-minute
grid, so a tune joins the programme anywhere in its file), starts ``retrovue serve`` on loopback
(no SSDP, mDNS or 65001; linger 2 s) and tunes ``/auto/v<N>`` with HTTP/1.0 and HTTP/1.1 in turn:

- ``start-up``: right after the server answers, while its horizon keeper builds 14 days of
  1-minute slots for three channels (a fresh copy of the station each round);
- ``cold``: no producer (the previous one has lingered out);
- ``second viewer``: another viewer is watching the channel;
- ``re-tune``: the same channel again at once after hanging up (the producer is lingering);
- ``during sync``: cold, while ``retrovue source sync`` ingests 300 files in another process;
- ``ffmpeg CLI``: ``ffmpeg -ss OFFSET -i FILE ... -f mpegts -`` (the same 720p profile) at the
  offset the channel is at, in the same run.

``TUNE_E2E_LOGS=DIR`` keeps each server's log there; ``TUNE_E2E_RETROVUE=PROGRAM`` runs another
``retrovue`` (a profiling wrapper, say) in place of this environment's.

Printed per source and scenario: p50 / p90 / max of the response headers, the first TS byte,
the PAT+PMT preamble, the first IDR, the first picture and the first picture of the programme
(``tune_client.py`` says how each is found).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stream_media import ffmpeg_transcode_args
from tune_client import Tune, Watcher, tune_command, tune_http
from tune_sources import SOURCES, SourceKind, make_source

from retrovue.testing.media import MediaSpec, make_media

RETROVUE = os.environ.get("TUNE_E2E_RETROVUE") or str(Path(sys.executable).with_name("retrovue"))
LINGER_S = 2.0
FIELDS = ("headers", "first_byte", "preamble", "idr", "picture", "programme")


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([RETROVUE, *args], env=env, check=True, stdout=subprocess.DEVNULL)


def build_station(root: Path, media: Path) -> dict[str, str]:
    """The station's data directory, configured by the CLI; returns its environment."""
    env = {**os.environ, "RETROVUE_DATA_DIR": str(root / "data")}
    cli(env, "source", "add", "filesystem", "tune", str(media))
    cli(env, "source", "sync", "tune")
    cli(env, "assets", "promote", "--source", "tune")
    for number, kind in enumerate(SOURCES, start=1):
        rule = json.dumps({"series": kind.series, "overrun": "truncate"})
        cli(env, "channel", "add", str(number), kind.series, "--timezone", "UTC",
            "--grid-minutes", "1")  # fmt: skip
        cli(env, "template", "add", kind.key)
        cli(env, "template", "block", "add", kind.key, "--start", "06:00", "--duration", "24h",
            "--rule", rule)  # fmt: skip
        cli(env, "schedule", "assign", str(number), kind.key)
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], isolation: str, log_path: Path) -> Iterator[int]:
    port = free_port()
    env = {**env, "RETROVUE_PRODUCER_ISOLATION": isolation, "RETROVUE_LINGER_S": str(LINGER_S)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [RETROVUE, "serve", "--host", "127.0.0.1", "--advertise", "127.0.0.1", "--no-udp",
             "--no-ssdp", "--no-mdns", "--port", str(port), "--api-port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_ready(port, process)
            yield port
            print(f"  {log_path.stem}: event loop {loop_lag(port)}")
        finally:
            process.terminate()
            process.wait(30)
            if os.environ.get("TUNE_E2E_LOGS"):  # a folder to keep the server's logs in
                shutil.copy(log_path, Path(os.environ["TUNE_E2E_LOGS"]) / log_path.name)


def loop_lag(port: int) -> str:
    """The server's own event-loop lag gauge (``/metrics``): wake-ups later than 100 ms."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("retrovue_event_loop_lag"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    total = values["retrovue_event_loop_lag_seconds_count"]
    late = total - values['retrovue_event_loop_lag_seconds_bucket{le="0.1"}']
    worst_ms = values["retrovue_event_loop_lag_max_seconds"] * 1000
    return (
        f"{late:.0f} of {total:.0f} wake-ups later than 100 ms; "
        f"worst in the last minute {worst_ms:.0f} ms"
    )


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("retrovue serve exited at start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/discover.json", timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("retrovue serve did not answer within 30 s")


def offset_s() -> float:
    """How far into its 1-minute slot (and so into its file) a channel is now."""
    now = datetime.now(UTC)
    return now.second + now.microsecond / 1e6


def ffmpeg_tune(path: Path, kind: SourceKind) -> Tune:
    args = ffmpeg_transcode_args(path, offset_s=offset_s(), preset="veryfast")
    return tune_command(args, kind.tag)


class Results:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[Tune]] = {}

    def add(self, source: str, scenario: str, tune: Tune) -> None:
        self.rows.setdefault((source, scenario), []).append(tune)

    def print(self) -> None:
        print(f"{'source':6s} {'scenario':24s} n   " + "  ".join(f"{f:>17s}" for f in FIELDS))
        for (source, scenario), tunes in self.rows.items():
            cells = [_cell([getattr(t, name) for t in tunes]) for name in FIELDS]
            print(f"{source:6s} {scenario:24s} {len(tunes):<3d} " + "  ".join(cells))


def _cell(values: list[float]) -> str:
    seen = sorted(v for v in values if not math.isnan(v))
    if not seen:
        return f"{'-':>17s}"
    missing = "*" if len(seen) < len(values) else " "
    p90 = seen[min(len(seen) - 1, math.ceil(0.9 * len(seen)) - 1)]
    return f"{statistics.median(seen):.2f}/{p90:.2f}/{seen[-1]:.2f}{missing}"


def run_startup(env: dict[str, str], root: Path, isolation: str, rounds: int, out: Results) -> None:
    pristine = root / "data"
    for round_index in range(rounds):
        copy = root / f"start-{isolation}-{round_index}"
        shutil.copytree(pristine, copy / "data")
        round_env = {**env, "RETROVUE_DATA_DIR": str(copy / "data")}
        with serving(round_env, isolation, copy / "serve.log") as port:
            for number, kind in enumerate(SOURCES, start=1):
                tune = tune_http(port, str(number), kind.tag, http10=number % 2 == 1)
                out.add(kind.key, f"{isolation} start-up", tune)
        built = "horizon: built" in (copy / "serve.log").read_text()
        print(f"  start-up round {round_index}: horizon build logged by the end: {built}")
        shutil.rmtree(copy)


def run_steady(
    env: dict[str, str], root: Path, isolation: str, tunes: int, paths: dict[str, Path],
    out: Results, *, with_sync: bool = True,
) -> None:  # fmt: skip
    with serving(env, isolation, root / f"serve-{isolation}.log") as port:
        time.sleep(1.0)
        for turn in range(tunes):
            http10 = turn % 2 == 0
            for number, kind in enumerate(SOURCES, start=1):
                channel = str(number)

                def tune() -> Tune:
                    return tune_http(port, channel, kind.tag, http10=http10)  # noqa: B023

                out.add(kind.key, f"{isolation} cold", tune())
                out.add(kind.key, f"{isolation} re-tune", tune())  # the producer lingers
                watcher = Watcher(port, channel)
                time.sleep(1.0)
                out.add(kind.key, f"{isolation} second viewer", tune())
                watcher.close()
                out.add(kind.key, "ffmpeg CLI", ffmpeg_tune(paths[kind.key], kind))
            time.sleep(LINGER_S + 1.5)  # every producer lingers out: the next tunes are cold
        if with_sync:
            run_during_sync(env, root, port, isolation, tunes, out)


def run_during_sync(
    env: dict[str, str], root: Path, port: int, isolation: str, tunes: int, out: Results
) -> None:
    busy = root / "busy"
    sample = make_media(root / "sample.mkv", MediaSpec(duration_s=2.0))
    for turn in range(tunes):
        shutil.rmtree(busy, ignore_errors=True)
        busy.mkdir()
        for index in range(300):
            shutil.copy(sample, busy / f"Busy {turn} - S01E{index + 1:02d}.mkv")
        name = f"busy{isolation}{turn}"
        cli(env, "source", "add", "filesystem", name, str(busy))
        sync = subprocess.Popen([RETROVUE, "source", "sync", name], env=env,
                                stdout=subprocess.DEVNULL)  # fmt: skip
        time.sleep(1.0)
        number = turn % len(SOURCES) + 1
        kind = SOURCES[number - 1]
        out.add(
            kind.key,
            f"{isolation} during sync",
            tune_http(port, str(number), kind.tag, http10=turn % 2 == 0),
        )
        sync.wait()
        time.sleep(LINGER_S + 1.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tunes", type=int, default=5)
    parser.add_argument("--startup-rounds", type=int, default=3)
    parser.add_argument("--no-sync", action="store_true", help="skip the tunes during a sync")
    parser.add_argument("--isolation", nargs="+", default=["process", "thread"])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache/retrovue-bench/tune")
    args = parser.parse_args()
    paths = {kind.key: make_source(kind, args.cache) for kind in SOURCES}
    out = Results()
    with tempfile.TemporaryDirectory(prefix="tune-e2e-") as tmp:
        root = Path(tmp)
        env = build_station(root, args.cache)
        for isolation in args.isolation:
            run_startup(env, root, isolation, args.startup_rounds, out)
            run_steady(env, root, isolation, args.tunes, paths, out, with_sync=not args.no_sync)
    print(f"load {os.getloadavg()[0]:.1f}; seconds after the request, p50/p90/max (* = not seen)")
    out.print()


if __name__ == "__main__":
    main()
