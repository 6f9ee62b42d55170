"""The hub keeps the stream since its latest join point: a viewer who joins a running channel
starts decoding at once, at the last IDR, instead of waiting up to a GOP for the next one."""

from __future__ import annotations

import asyncio

from retrovue.runtime.hub import Hub, Viewer

SDT = bytes([0x47, 0x40, 0x11, 0x10]) + bytes(184)
PAT = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
PMT = bytes([0x47, 0x50, 0x00, 0x10]) + bytes(184)
KEY = bytes([0x47, 0x41, 0x00, 0x30, 0x07, 0x50]) + bytes(182)  # video, random access
VIDEO = bytes([0x47, 0x01, 0x00, 0x10]) + bytes(184)
AUDIO = bytes([0x47, 0x41, 0x01, 0x10]) + bytes(184)
GOP_START = SDT + PAT + PMT + KEY


def _queued(viewer: Viewer) -> bytes:
    chunks = []
    while not viewer.queue.empty():
        chunk = viewer.queue.get_nowait()
        assert chunk is not None
        chunks.append(chunk)
    return b"".join(chunks)


async def test_a_joining_viewer_gets_the_stream_since_the_latest_keyframe_at_once() -> None:
    hub = Hub(asyncio.get_running_loop())
    first = hub.add_viewer("first")
    for chunk in (GOP_START + VIDEO, AUDIO + VIDEO, VIDEO + GOP_START, VIDEO, AUDIO):
        hub.send(chunk)
    late = hub.add_viewer("late")
    assert _queued(late) == GOP_START + VIDEO + AUDIO  # from the second GOP's tables on
    hub.send(VIDEO)
    assert _queued(late) == VIDEO  # then live, like everyone else
    assert _queued(first).endswith(VIDEO + GOP_START + VIDEO + AUDIO + VIDEO)


async def test_before_the_first_keyframe_a_viewer_gets_the_stream_from_its_start() -> None:
    hub = Hub(asyncio.get_running_loop())
    preamble = SDT + PAT + PMT  # what the server sends the moment a channel starts
    hub.send(preamble)
    hub.send(AUDIO)
    viewer = hub.add_viewer("early")
    assert _queued(viewer) == preamble + AUDIO
    hub.send(GOP_START)
    assert _queued(viewer) == GOP_START


async def test_a_kept_stream_that_outgrows_its_bound_is_let_go() -> None:
    hub = Hub(asyncio.get_running_loop(), recent_bytes=188 * 8)
    hub.send(GOP_START)
    for _ in range(5):
        hub.send(VIDEO)  # 9 packets since the keyframe's tables: more than kept
    viewer = hub.add_viewer("late")
    assert _queued(viewer) == b""  # nothing half-kept: it waits for the next keyframe
    hub.send(VIDEO)
    assert _queued(viewer) == b""
    hub.send(AUDIO + GOP_START)
    assert _queued(viewer) == GOP_START
