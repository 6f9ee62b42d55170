"""Linux process settings through libc: a worker's process name, malloc's arena count.

Both are best-effort: on another C library or system they report False and change nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

PR_SET_NAME = 15  # prctl(2)
COMM_BYTES = 15  # the kernel keeps 15 bytes of a process name
M_ARENA_MAX = -8  # mallopt(3)


def _libc_function(name: str) -> Callable[..., Any] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function: Callable[..., Any] = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return None
    return function


def process_name(channel_number: str) -> str:
    """What ``ps -o comm`` and ``top`` show for a channel's worker: ``retrovue-ch4.1``."""
    return f"retrovue-ch{channel_number}"[:COMM_BYTES]


def set_process_name(name: str) -> bool:
    """Name the calling process (``prctl(PR_SET_NAME)``)."""
    prctl = _libc_function("prctl")
    if prctl is None:
        return False
    raw = name.encode("utf-8", "replace")[:COMM_BYTES]
    return bool(prctl(PR_SET_NAME, ctypes.c_char_p(raw), 0, 0, 0) == 0)


def limit_malloc_arenas(count: int) -> bool:
    """Cap glibc malloc's arenas for the rest of the process (``mallopt(M_ARENA_MAX)``).

    glibc gives threads their own arenas, up to 8 per core; a server whose producers are
    short-lived threads (``producer_isolation = "thread"``) otherwise keeps freed codec and
    demuxer memory scattered over many arenas and its RSS creeps up with every tune. Effective
    when called before the process has had many threads (at start-up)."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, count) == 1)
