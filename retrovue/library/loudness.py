"""EBU R128 loudness of a file's audio, measured with FFmpeg's own meter through PyAV.

:func:`measure_loudness` decodes the track the runtime plays by default (the default-flagged
audio track, else the first) and runs it through ``abuffer -> ebur128=peak=true:metadata=1 ->
abuffersink``. The meter writes its running readings into each frame's metadata: the last
integrated loudness (``lavfi.r128.I``, LUFS) is the file's, and the highest true peak
(``lavfi.r128.true_peak``, linear) gives the true peak in dBTP.

A file that cannot be measured (no audio, silence below the -70 LUFS gate, a decode error) gets a
:class:`Loudness` with ``error`` set: the runtime then plays it at unity gain.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

GATE_LUFS = -70.0  # EBU R128's absolute gate: what the meter reports for silence
_INTEGRATED = "lavfi.r128.I"
_TRUE_PEAK = "lavfi.r128.true_peak"


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    track_index: int | None = None  # the stream measured
    error: str | None = None  # why there is no measurement

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error, "track": self.track_index}
        return {
            "integrated_lufs": self.integrated_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "track": self.track_index,
        }


def measure_loudness(path: Path) -> Loudness:
    """Integrated loudness and true peak of ``path``'s default audio track."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as err:
        return Loudness(error=f"not readable media ({_reason(err)})")
    try:
        stream = _default_track(container)
        if stream is None:
            return Loudness(error="no audio track")
        try:
            return _measure(container, stream)
        except (av.FFmpegError, OSError, ValueError) as err:
            return Loudness(track_index=int(stream.index), error=f"decode error ({_reason(err)})")
    finally:
        container.close()


def _default_track(container: Any) -> Any | None:
    tracks = list(container.streams.audio)
    for track in tracks:
        if track.disposition & av.stream.Disposition.default:
            return track
    return tracks[0] if tracks else None


def _measure(container: Any, stream: Any) -> Loudness:
    index = int(stream.index)
    integrated: float | None = None
    peak = 0.0
    for metadata in _readings(container, stream):
        if _INTEGRATED in metadata:
            integrated = float(metadata[_INTEGRATED])
        if _TRUE_PEAK in metadata:
            peak = max(peak, float(metadata[_TRUE_PEAK]))
    if integrated is None:
        return Loudness(track_index=index, error="no audio decoded")
    if not math.isfinite(integrated) or integrated <= GATE_LUFS or peak <= 0.0:
        return Loudness(track_index=index, error="silent (below the -70 LUFS gate)")
    return Loudness(
        integrated_lufs=round(integrated, 2),
        true_peak_dbtp=round(20 * math.log10(peak), 2),
        track_index=index,
    )


def _readings(container: Any, stream: Any) -> Iterator[dict[str, str]]:
    """The meter's metadata for every frame it passes on (the graph is built on the first
    decoded frame, whose format it takes)."""
    graph: Any = None
    for frame in container.decode(stream):
        if graph is None:
            graph = _graph(frame)
        graph.push(frame)
        yield from _drain(graph)
    if graph is not None:
        graph.push(None)
        yield from _drain(graph)


def _graph(frame: av.AudioFrame) -> Any:
    graph = av.filter.Graph()
    source = graph.add(
        "abuffer",
        sample_rate=str(frame.sample_rate),
        sample_fmt=frame.format.name,
        channel_layout=frame.layout.name,
        time_base=str(frame.time_base),
    )
    meter = graph.add("ebur128", "peak=true:metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    return graph


def _drain(graph: Any) -> Iterator[dict[str, str]]:
    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        yield dict(frame.metadata)


def _reason(err: Exception) -> str:
    text = getattr(err, "strerror", None) or str(err)
    return str(text).splitlines()[0].strip() or type(err).__name__
