"""Test-card videos for the demo library: colour bars, a title, a running clock, and a tone."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from retrovue.runtime.slates.cards import BARS
from retrovue.runtime.slates.font import Plane, draw_text_centered, fill_rect


@dataclass(frozen=True)
class Card:
    title: str
    subtitle: str
    duration_s: float
    tone_hz: float = 440.0
    width: int = 320
    height: int = 180
    fps: int = 25


def _bars_planes(card: Card) -> tuple[bytearray, bytes, bytes]:
    w, h = card.width, card.height
    cw, ch = w // 2, h // 2
    y_plane = bytearray(w * h)
    u_row, v_row = bytearray(cw), bytearray(cw)
    for x in range(w):
        bar = BARS[min(len(BARS) - 1, x * len(BARS) // w)]
        for row in range(h // 2):
            y_plane[row * w + x] = bar[0]
        if x % 2 == 0:
            u_row[x // 2], v_row[x // 2] = bar[1], bar[2]
    for row in range(h // 2, h):
        y_plane[row * w : (row + 1) * w] = bytes([24]) * w
    u_plane = bytes(u_row) * (ch // 2) + bytes([128]) * (cw * (ch - ch // 2))
    v_plane = bytes(v_row) * (ch // 2) + bytes([128]) * (cw * (ch - ch // 2))
    return y_plane, u_plane, v_plane


def _clock_text(second: int) -> str:
    return f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


def _luma_for_second(card: Card, background: bytearray, second: int) -> bytes:
    plane = Plane(bytearray(background), card.width, card.height, card.width)
    h = card.height
    draw_text_centered(plane, card.title, h * 5 // 8, 3, 235)
    draw_text_centered(plane, card.subtitle, h * 3 // 4 + 4, 2, 180)
    fill_rect(plane, 0, h * 7 // 8 - 4, card.width, h // 8 + 4, 16)
    draw_text_centered(plane, _clock_text(second), h * 15 // 16, 2, 235)
    return bytes(plane.data)


def _frame(card: Card, luma: bytes, chroma: tuple[bytes, bytes], index: int) -> av.VideoFrame:
    frame = av.VideoFrame(card.width, card.height, "yuv420p")
    for plane, data, width in zip(
        frame.planes, (luma, *chroma), (card.width, card.width // 2, card.width // 2), strict=True
    ):
        _update(plane, data, width)
    frame.pts = index
    frame.time_base = Fraction(1, card.fps)
    return frame


def _update(plane: Any, data: bytes, width: int) -> None:
    if plane.line_size == width:
        plane.update(data)
        return
    rows = len(data) // width
    padded = bytearray(plane.line_size * rows)
    for row in range(rows):
        padded[row * plane.line_size : row * plane.line_size + width] = data[
            row * width : (row + 1) * width
        ]
    plane.update(bytes(padded))


def _tone_frames(card: Card, sample_rate: int) -> list[av.AudioFrame]:
    """One second of tone (1 kHz-ish beeps would annoy; a soft steady tone is the classic)."""
    samples = [
        int(3000 * math.sin(2 * math.pi * card.tone_hz * i / sample_rate))
        for i in range(sample_rate)
    ]
    frame = av.AudioFrame(format="s16", layout="mono", samples=sample_rate)
    frame.planes[0].update(struct.pack(f"<{sample_rate}h", *samples))
    frame.sample_rate = sample_rate
    return [frame]


def write_card(path: Path, card: Card) -> Path:
    """Encode ``card`` to ``path`` (H.264 + AAC in the container the extension names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sample_rate = 48000
    with av.open(str(path), "w") as container:
        container.metadata["title"] = card.title
        video = container.add_stream("libx264", rate=card.fps)
        video.width, video.height, video.pix_fmt = card.width, card.height, "yuv420p"
        video.codec_context.gop_size = card.fps * 2
        video.codec_context.options = {"preset": "ultrafast", "tune": "stillimage", "crf": "30"}
        audio = container.add_stream("aac", rate=sample_rate)
        audio.layout = "mono"
        audio.bit_rate = 48000  # a steady test tone: the fast coder at 48 kb/s halves the cost
        audio.codec_context.options = {"aac_coder": "fast"}
        background, u_plane, v_plane = _bars_planes(card)
        seconds = math.ceil(card.duration_s)
        frame_total = round(card.duration_s * card.fps)
        tone = _tone_frames(card, sample_rate)[0]
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=sample_rate)
        for second in range(seconds):
            luma = _luma_for_second(card, background, second)
            frame = _frame(card, luma, (u_plane, v_plane), second * card.fps)
            for index in range(second * card.fps, min(frame_total, (second + 1) * card.fps)):
                frame.pts = index  # the encoder keeps its own copy of each picture
                container.mux(video.encode(frame))
            _mux_tone(container, audio, resampler, tone, second, card, sample_rate)
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    return path


def _mux_tone(
    container: Any,
    audio: Any,
    resampler: Any,
    tone: av.AudioFrame,
    second: int,
    card: Card,
    sample_rate: int,
) -> None:
    remaining_s = card.duration_s - second
    if remaining_s <= 0:
        return
    tone.pts = second * sample_rate
    tone.time_base = Fraction(1, sample_rate)
    for out in resampler.resample(tone):
        if remaining_s < 1 and out.pts is not None and out.pts >= card.duration_s * sample_rate:
            continue
        container.mux(audio.encode(out))
