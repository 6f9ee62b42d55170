"""libc process settings, each tried in a child process (they change the whole process)."""

from __future__ import annotations

import subprocess
import sys

from retrovue.runtime.isolation.native import COMM_BYTES, process_name


def _child(code: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return run.stdout.strip()


def test_a_worker_process_name_names_the_channel_within_the_kernel_limit() -> None:
    assert process_name("4") == "retrovue-ch4"
    assert process_name("1234.5678") == "retrovue-ch1234"
    assert len(process_name("1234.5678")) == COMM_BYTES


def test_set_process_name_shows_in_proc_comm() -> None:
    shown = _child(
        "from pathlib import Path\n"
        "from retrovue.runtime.isolation.native import set_process_name\n"
        "assert set_process_name('retrovue-ch12.3')\n"
        "print(Path('/proc/self/comm').read_text())"
    )
    assert shown == "retrovue-ch12.3"


def test_malloc_arenas_can_be_capped() -> None:
    code = "from retrovue.runtime.isolation.native import limit_malloc_arenas\n"
    assert _child(code + "print(limit_malloc_arenas(1))") == "True"
