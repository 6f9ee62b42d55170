"""End to end: ``retrovue serve --demo`` as a subprocess on loopback, used by real clients.

Discovered with ``hdhomerun_config`` and ``gssdp-discover``; lineup and XMLTV read (XMLTV validated
with ``tv_validate_file``); 20 s of a channel recorded across a programme boundary with ``ffmpeg``
as the client. The recording is checked for length, clean decoding, and content: every demo card
carries its own tone, so the dominant frequency before and after the boundary tells which programme
aired, and it must be the one the schedule says. Then the channel's producer worker is killed
with SIGSEGV while ``ffmpeg`` records: the recording goes on, the server lives and logs it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest

from retrovue.demo.library import FILLER, FILMS, SERIES
from retrovue.runtime.isolation.native import process_name

FIXED_PORT_LOCK = Path("/tmp/retrovue-hdhr-fixed-ports.lock")
RECORD_S = 20
MEDIA_SERVER = "urn:schemas-upnp-org:device:MediaServer:1"
TOOLS = ("hdhomerun_config", "gssdp-discover", "ffmpeg", "tv_validate_file")
pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in TOOLS),
        reason="needs Debian's hdhomerun-config, gupnp-tools, ffmpeg and xmltv-util",
    ),
]

TONES_HZ = {s.title: s.tone_hz for s in SERIES} | {title: hz for title, _y, _s, hz in FILMS}
TONES_HZ |= {title: 880.0 for _folder, title, _s in FILLER}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Station:
    data_dir: Path
    stream_port: int
    api_port: int
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.stream_port}{path}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETROVUE_")}
        env["RETROVUE_DATA_DIR"] = str(self.data_dir)
        return env

    def cli_json(self, *args: str) -> object:
        proc = subprocess.run(
            [sys.executable, "-m", "retrovue", *args, "--json"],
            env=self.env(), capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return json.loads(proc.stdout)


def _get(url: str, patience_s: float) -> bytes:
    deadline = time.perf_counter() + patience_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return bytes(response.read())
        except OSError:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    data_dir = tmp_path_factory.mktemp("demo")
    stream_port, api_port = _free_port(), _free_port()
    with FIXED_PORT_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command = [
            sys.executable, "-m", "retrovue", "serve", "--demo", "--host", "127.0.0.1",
            "--advertise", "127.0.0.1", "--port", str(stream_port), "--api-port", str(api_port),
            "--no-mdns",
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETROVUE_")}
        env["RETROVUE_DATA_DIR"] = str(data_dir)
        log = (data_dir / "serve.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        running = Station(data_dir, stream_port, api_port, process)
        try:
            _get(running.url("/discover.json"), patience_s=600)
            yield running
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            finally:
                log.close()
    output = (data_dir / "serve.log").read_text(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def test_startup_summary_names_device_and_channels(station: Station) -> None:
    discover = json.loads(_get(station.url("/discover.json"), 30))
    log = (station.data_dir / "serve.log").read_text()
    assert f"device id {discover['DeviceID']}" in log
    assert "channels   3: 2 RetroVue One, 3 RetroVue Movies, 4 RetroVue Mix" in log


def test_hdhomerun_config_finds_the_device(station: Station) -> None:
    discover = json.loads(_get(station.url("/discover.json"), 30))
    out = subprocess.run(
        ["hdhomerun_config", "discover", "127.0.0.1"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    assert f"hdhomerun device {discover['DeviceID']} found at 127.0.0.1" in out
    model = subprocess.run(
        ["hdhomerun_config", "127.0.0.1", "get", "/sys/model"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    assert model.strip()


def test_gssdp_discover_finds_the_media_server(station: Station) -> None:
    out = subprocess.run(
        ["gssdp-discover", "-i", "lo", "-n", "4", "-t", MEDIA_SERVER],
        capture_output=True, text=True, timeout=30, check=False,
    ).stdout  # fmt: skip
    assert f"Location: http://127.0.0.1:{station.api_port}/device.xml" in out, out


def test_lineup_and_guide(station: Station, tmp_path: Path) -> None:
    lineup = json.loads(_get(station.url("/lineup.json"), 30))
    assert [c["GuideNumber"] for c in lineup] == ["2", "3", "4"]
    assert all(c["URL"] == station.url(f"/auto/v{c['GuideNumber']}") for c in lineup)
    guide = tmp_path / "guide.xml"
    guide.write_bytes(_get(station.url("/xmltv.xml"), 30))
    result = subprocess.run(
        ["tv_validate_file", "--dtd-file", "/usr/share/xmltv/xmltv.dtd", str(guide)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Validated ok" in result.stdout + result.stderr, result.stdout + result.stderr
    text = guide.read_text()
    assert "Space Patrol" in text
    assert 'system="onscreen">S01E0' in text


def test_the_movie_channel_stops_its_films_for_a_break(station: Station) -> None:
    today = datetime.now(UTC).strftime("%Y-%m-%d")  # noqa: TID251 - the subprocess's real clock
    events = [e for day in (today,) for e in _events(station, "3", day)]
    roles = [e.get("role") for e in events]
    assert "part 2" in roles  # a film resumed after its break
    assert any(str(r).startswith("break") for r in roles)
    cards = [e for e in events if e.get("role") == "up next"]
    assert cards
    assert all(str(c["title"]).startswith(("Up next at ", "Coming up on ")) for c in cards)


def _events(station: Station, number: str, day: str) -> list[dict[str, object]]:
    data = station.cli_json("schedule", "show", number, "--date", day)
    assert isinstance(data, dict | list)
    events = data["events"] if isinstance(data, dict) else data
    return [e for e in events if isinstance(e, dict)]


def _at(events: list[dict[str, object]], when: datetime) -> dict[str, object] | None:
    for event in events:
        start = datetime.fromisoformat(str(event["start"]))
        end = datetime.fromisoformat(str(event["end"]))
        if start + timedelta(seconds=1.5) <= when <= end - timedelta(seconds=1.5):
            return event
    return None


def _plan(station: Station) -> tuple[str, datetime, dict[str, object], dict[str, object]]:
    """A channel and a start instant whose 20 s cross a boundary between two toned items."""
    now = datetime.now(UTC)  # noqa: TID251 - the subprocess runs on the real clock
    days = {(now + timedelta(hours=h)).strftime("%Y-%m-%d") for h in (-24, 0)}
    candidates = []
    for number in ("2", "3", "4"):
        events = [e for day in sorted(days) for e in _events(station, number, day)]
        for offset_s in range(8, 300):
            start = now + timedelta(seconds=offset_s)
            before = _at(events, start + timedelta(seconds=2))
            after = _at(events, start + timedelta(seconds=RECORD_S - 2))
            if (
                before
                and after
                and before != after
                and all(e["kind"] != "slate" and e["title"] in TONES_HZ for e in (before, after))
                and TONES_HZ[str(before["title"])] != TONES_HZ[str(after["title"])]
            ):
                candidates.append((offset_s, number, start, before, after))
                break
    assert candidates, "no boundary between two different programmes in the next 5 minutes"
    _offset, number, start, before, after = min(candidates, key=lambda c: c[0])
    return number, start, before, after


def _goertzel_power(samples: list[float], rate: int, hz: float) -> float:
    coeff = 2 * math.cos(2 * math.pi * hz / rate)
    s_prev = s_prev2 = 0.0
    for sample in samples:
        s_prev, s_prev2 = sample + coeff * s_prev - s_prev2, s_prev
    return s_prev2**2 + s_prev**2 - coeff * s_prev * s_prev2


def _dominant_tone(recording: Path, from_s: float, to_s: float) -> float:
    samples: list[float] = []
    with av.open(str(recording)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        first_pts: float | None = None
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                t = float(out.pts * out.time_base) if out.pts is not None else 0.0
                first_pts = t if first_pts is None else first_pts
                if from_s <= t - first_pts < to_s:
                    samples.extend(memoryview(bytes(out.planes[0])).cast("f")[: out.samples])
    assert samples, f"no audio between {from_s} s and {to_s} s"
    return max(sorted(set(TONES_HZ.values())), key=lambda hz: _goertzel_power(samples, 48000, hz))


def test_record_across_a_boundary_with_ffmpeg(station: Station, tmp_path: Path) -> None:
    number, start, before, after = _plan(station)
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()))  # noqa: TID251
    recording = tmp_path / "recording.ts"
    ffmpeg = subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", station.url(f"/auto/v{number}"),
         "-t", str(RECORD_S), "-c", "copy", "-f", "mpegts", str(recording)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert ffmpeg.returncode == 0, ffmpeg.stderr
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(recording)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout)  # fmt: skip
    kinds = sorted(s["codec_type"] for s in probe["streams"])
    assert kinds == ["audio", "video"]
    assert abs(float(probe["format"]["duration"]) - RECORD_S) < 1.5
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(recording), "-f", "null", "-"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert decode.returncode == 0
    assert decode.stderr.strip() == ""
    assert _dominant_tone(recording, 1.0, 2.5) == TONES_HZ[str(before["title"])], before
    assert (
        _dominant_tone(recording, RECORD_S - 3.0, RECORD_S - 1.5) == TONES_HZ[str(after["title"])]
    ), after


def _worker_pids(server_pid: int, number: str | None = None) -> list[int]:
    """The server's producer workers (children of its fork server, itself a child); with
    ``number``, only that channel's, by the process name the worker gives itself."""

    def children(pid: int) -> list[int]:
        found: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    found += [int(p) for p in (task / "children").read_text().split()]
        return found

    def named(pid: int) -> bool:
        with contextlib.suppress(OSError):
            return Path(f"/proc/{pid}/comm").read_text().strip() == process_name(number or "")
        return False

    workers = [worker for child in children(server_pid) for worker in children(child)]
    return workers if number is None else [pid for pid in workers if named(pid)]


def test_a_worker_crash_while_ffmpeg_records_does_not_end_the_recording(
    station: Station, tmp_path: Path
) -> None:
    lineup = json.loads(_get(station.url("/lineup.json"), patience_s=10))
    number = str(lineup[-1]["GuideNumber"])
    recording = tmp_path / "crash.ts"
    with subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-i", station.url(f"/auto/v{number}"),
         "-t", "12", "-c", "copy", "-f", "mpegts", str(recording)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ) as ffmpeg:  # fmt: skip
        try:
            deadline = time.perf_counter() + 20
            # the channel's worker: a new one, or the one still lingering after an earlier test
            while not (workers := set(_worker_pids(station.process.pid, number))):
                assert time.perf_counter() < deadline, "no producer worker appeared"
                time.sleep(0.1)
            time.sleep(3.0)  # well into the recording
            for worker in workers:
                os.kill(worker, signal.SIGSEGV)  # what a crash in FFmpeg or x264 does
            _, errors = ffmpeg.communicate(timeout=90)
        finally:
            if ffmpeg.poll() is None:
                ffmpeg.kill()
    assert ffmpeg.returncode == 0, errors
    assert station.process.poll() is None  # the server lives on
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(recording)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout)  # fmt: skip
    assert float(probe["format"]["duration"]) > 10.0  # the recording went on after the crash
    log = (station.data_dir / "serve.log").read_text(errors="replace")
    assert f"channel {number}: producer died" in log
    assert "killed by signal SIGSEGV" in log
    assert not any(pid in _worker_pids(station.process.pid) for pid in workers)
