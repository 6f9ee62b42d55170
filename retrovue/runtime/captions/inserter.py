"""Caption data into encoded H.264 packets: each picture's A/53 SEI, before its first slice.

PyAV (18) offers no way to attach ``AV_FRAME_DATA_A53_CC`` side data to a frame it did not
decode (a frame's side data is read-only there), so libx264's own ``a53cc`` path cannot be
fed. The encoder's packets are Annex B access units (the MPEG-TS muxer wants no global
header), each with the PTS of its picture: the pair noted for that picture goes into its SEI,
so pictures reordered by B-frames keep their own caption bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.captions.a53 import cc_count, insert_sei, sei_nal
from retrovue.runtime.captions.cea608 import Pair


class SeiInserter:
    def __init__(self, fps: int) -> None:
        self._fps = fps
        self._count = cc_count(fps)
        self._pending: dict[int, Pair | None] = {}

    def note(self, frame_index: int, pair: Pair | None) -> None:
        """``pair`` belongs to output picture ``frame_index`` (encoded now or later)."""
        self._pending[frame_index] = pair

    def tag(self, packets: Iterable[av.Packet[Any]]) -> list[av.Packet[Any]]:
        """The packets, each with its picture's caption SEI inserted."""
        return [self._tagged(packet) for packet in packets]

    def _tagged(self, packet: av.Packet[Any]) -> av.Packet[Any]:
        if packet.pts is None or packet.time_base is None:
            return packet
        index = round(packet.pts * packet.time_base * self._fps)
        pair = self._pending.pop(index, None)
        data = insert_sei(bytes(packet), sei_nal(pair, self._count))
        tagged = av.Packet(data)
        tagged.pts, tagged.dts, tagged.duration = packet.pts, packet.dts, packet.duration
        tagged.time_base = packet.time_base or Fraction(1, self._fps)
        tagged.is_keyframe = packet.is_keyframe
        tagged.stream = packet.stream
        return tagged
