"""A DVR's tune, timed from the request: ``tune_http`` reads ``/auto/v<N>`` over a real socket the
way Plex (HTTP/1.0) or Jellyfin/Channels (HTTP/1.1) does; ``tune_command`` reads the ffmpeg CLI's
stdout. Both record when each byte arrived; :func:`analyse` then finds, in what was received:

- ``headers``: the end of the HTTP response headers (0 for the ffmpeg CLI);
- ``first_byte``: the first TS byte;
- ``preamble``: a complete PAT and PMT (a client can start demuxing);
- ``idr``: the first video keyframe packet complete (the next packet has begun);
- ``picture``: the first picture a decoder fed with the bytes so far puts out (slate or not);
- ``programme``: the first picture of the programme itself: its frame code's tag is the source's.
"""

from __future__ import annotations

import bisect
import contextlib
import http.client
import io
import math
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import av

from retrovue.testing.media import BAND_FRACTION, TAG_BITS

PACKET = 188
MIN_READ_S = 2.0
MAX_READ_S = 8.0
STEP_S = 1.0
NAN = math.nan


@dataclass
class Received:
    """Bytes as they arrived: ``ends[i]`` bytes had arrived at ``times[i]`` (after the request)."""

    headers_s: float = NAN
    data: bytearray = field(default_factory=bytearray)
    ends: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def add(self, chunk: bytes, at_s: float) -> None:
        self.data += chunk
        self.ends.append(len(self.data))
        self.times.append(at_s)

    def arrival_s(self, offset: int) -> float:
        """When byte ``offset`` had arrived."""
        index = bisect.bisect_right(self.ends, offset)
        return self.times[index] if index < len(self.times) else NAN


@dataclass(frozen=True)
class Tune:
    headers: float
    first_byte: float
    preamble: float
    idr: float
    picture: float
    programme: float


def _pat_pmt_offset(data: bytes) -> int | None:
    """The end of the first PMT packet that follows a PAT."""
    seen_pat = False
    for at in range(0, len(data) - PACKET + 1, PACKET):
        pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
        if pid == 0:
            seen_pat = True
        elif seen_pat and pid == 0x1000:
            return at + PACKET
    return None


def read_tag(frame: av.VideoFrame) -> int:
    """The source tag in the picture's top band, read inside the picture area (a 4:3 or 3:2
    source is pillarboxed in the 16:9 output: its extent is found on a row of its body)."""
    gray = frame.reformat(format="gray")
    plane = gray.planes[0]
    stride, width, height = plane.line_size, gray.width, gray.height
    data = bytes(plane)
    body = data[int(height * 0.6) * stride : int(height * 0.6) * stride + width]
    lit = [x for x, value in enumerate(body) if value > 20]
    left, right = (lit[0], lit[-1] + 1) if lit else (0, width)
    row = int(height * BAND_FRACTION) // 2 * stride
    value = 0
    for bit in range(TAG_BITS):
        x = left + int((bit + 0.5) * (right - left) / TAG_BITS)
        value = (value << 1) | (1 if data[row + x] > 125 else 0)
    return value


def analyse(received: Received, tag: int) -> Tune:
    data = bytes(received.data[: len(received.data) - len(received.data) % PACKET])
    first_byte = received.times[0] if received.times else NAN
    pmt_end = _pat_pmt_offset(data)
    preamble = received.arrival_s(pmt_end - 1) if pmt_end else NAN
    idr = picture = programme = NAN
    with contextlib.suppress(av.FFmpegError):
        idr, picture, programme = _pictures(received, data, tag)
    return Tune(received.headers_s, first_byte, preamble, idr, picture, programme)


def _pictures(received: Received, data: bytes, tag: int) -> tuple[float, float, float]:
    idr = picture = programme = NAN
    with av.open(io.BytesIO(data), format="mpegts") as container:
        if not container.streams.video:
            return idr, picture, programme
        video = container.streams.video[0]
        video.codec_context.thread_type = "SLICE"  # no frame-thread delay: frames when fed
        packets = list(container.demux(video))
    for index, packet in enumerate(packets):
        if packet.pos is None or packet.pos < 0:
            continue
        following = next((p.pos for p in packets[index + 1 :] if p.pos and p.pos > 0), None)
        if following is None:
            break  # the last packet may be incomplete
        ready_s = received.arrival_s(following - 1)
        if packet.is_keyframe and math.isnan(idr):
            idr = ready_s
        for frame in packet.decode():
            if math.isnan(picture):
                picture = ready_s
            if read_tag(frame) == tag:
                return idr, picture, ready_s
    return idr, picture, programme


def _read_until_programme(
    read: Callable[[], bytes], received: Received, begin: float, tag: int
) -> Tune:
    """Read (``read()`` returns b"" at the end) until the programme shows or ``MAX_READ_S``."""
    check_at = MIN_READ_S
    while True:
        chunk = read()
        now_s = time.perf_counter() - begin
        if chunk:
            received.add(chunk, now_s)
        if not chunk or now_s >= check_at:
            tune = analyse(received, tag)
            if not chunk or not math.isnan(tune.programme) or now_s >= MAX_READ_S:
                return tune
            check_at = now_s + STEP_S


def tune_http(port: int, number: str, tag: int, *, http10: bool) -> Tune:
    """HTTP/1.0 as Plex sends it (the body is the stream, read off the socket), or HTTP/1.1
    (``http.client``, which undoes a chunked body as it arrives)."""
    if http10:
        return _tune_http10(port, number, tag)
    received = Received()
    begin = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", f"/auto/v{number}", headers={"User-Agent": "tune-e2e"})
        response = connection.getresponse()
        received.headers_s = time.perf_counter() - begin
        if response.status != 200:
            raise RuntimeError(f"channel {number}: HTTP {response.status}")
        return _read_until_programme(lambda: response.read1(65536), received, begin, tag)
    finally:
        connection.close()


def _tune_http10(port: int, number: str, tag: int) -> Tune:
    request = f"GET /auto/v{number} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"
    request += "User-Agent: tune-e2e\r\n\r\n"
    received = Received()
    begin = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            part = sock.recv(65536)
            if not part:
                raise RuntimeError(f"channel {number}: connection closed before the headers")
            head += part
        received.headers_s = time.perf_counter() - begin
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status + b" ":
            raise RuntimeError(f"channel {number}: {status.decode(errors='replace')}")
        rest = head.split(b"\r\n\r\n", 1)[1]
        if rest:
            received.add(rest, received.headers_s)
        return _read_until_programme(lambda: sock.recv(65536), received, begin, tag)


def tune_command(args: list[str], tag: int) -> Tune:
    received = Received()
    received.headers_s = 0.0
    begin = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    assert process.stdout is not None
    try:
        stdout = process.stdout
        return _read_until_programme(lambda: stdout.read1(65536), received, begin, tag)
    finally:
        process.kill()
        process.wait()


class Watcher:
    """A viewer that keeps a channel tuned (a thread reads and discards) until ``close``."""

    def __init__(self, port: int, number: str) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._sock.sendall(f"GET /auto/v{number} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while self._sock.recv(1 << 20):
                pass
        except OSError:
            return

    def close(self) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)
