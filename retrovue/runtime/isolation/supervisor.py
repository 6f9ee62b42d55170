"""Producers in worker processes, the server's side (``isolation.worker`` is the worker's).

A :class:`ProcessProducer` looks like a :class:`~retrovue.runtime.playout.core.Playout` to the
channel (``start``, ``stop``, counters, ``on_exit``), but the work runs in a forked process: a
segmentation fault or a hang in native code ends that process only. Two threads per channel in
the server: the *reader* moves TS bytes from the data pipe to the hub (and, when the worker is
silent for a second, sends null packets so the viewers' connections never go quiet); the
*supervisor* starts the worker, forwards director modes to it, records its as-run events with
the server's recorder, and kills it when it stops sending bytes (a hang). When the worker ends
without being asked to, the as-run rows it left open are finished as ``failed`` and ``on_exit``
reports the error, so the channel starts another worker while the viewers stay connected.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from retrovue.clock import Clock
from retrovue.runtime.isolation import messages as msg
from retrovue.runtime.isolation.worker import worker_main
from retrovue.runtime.mpegts import PSI_PIDS
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.hooks import FinalStatus
from retrovue.runtime.playout.modes import NORMAL, DirectorState
from retrovue.runtime.playout.timeline import Timeline, TimelineItem

log = logging.getLogger(__name__)

CONTEXT = multiprocessing.get_context("forkserver")
PRELOAD = "retrovue.runtime.isolation.preload"  # imported once by the fork server (PyAV, mappers)
KEEPALIVE_S = 1.0  # worker silent this long: null packets to the viewers
HANG_S = 3.0  # worker silent this long once it has sent bytes: killed and replaced
START_S = 30.0  # a new worker's first bytes (fork, imports, first file, first frame) within this
DIRECTOR_POLL_S = 0.1
JOIN_S = 5.0
NULL_PACKET = b"\x47\x1f\xff\x10" + b"\xff" * 184
TS_PACKET = 188
NULL_PID = 0x1FFF


def carries_media(chunk: bytes) -> bool:
    """``chunk`` has a TS packet that is neither a table (PAT, PMT, SDT) nor padding (pure)."""
    for at in range(0, len(chunk) - TS_PACKET + 1, TS_PACKET):
        pid = ((chunk[at + 1] & 0x1F) << 8) | chunk[at + 2]
        if pid not in PSI_PIDS and pid != NULL_PID:
            return True
    return False


class ProducerDied(RuntimeError):
    """A worker process ended without being asked to."""


def warm_up() -> None:
    """Start the fork server now (it imports PyAV once), so the first tune is fast."""
    process = _context().Process(target=_nothing, name="producer-warm-up", daemon=True)
    process.start()
    process.join(30)


def _context() -> multiprocessing.context.ForkServerContext:
    """The fork server's context, told what to import before it first starts (no effect after)."""
    CONTEXT.set_forkserver_preload([*main_script_imports(), PRELOAD])
    return CONTEXT


def main_script_imports() -> list[str]:
    """The modules the server's main script imports (for ``retrovue serve``, the console script
    imports the whole CLI). A forkserver child runs the parent's main script again before its
    target (``multiprocessing.spawn.prepare``), and Python 3.11's forkserver cannot preload
    ``__main__`` itself: measured, 0.6-1.3 s of imports in every new worker, on every tune. With
    these modules imported once by the fork server, the child's run of the script finds them
    imported (20 ms). ``python -m`` mains are not run again, so nothing is needed for them."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(getattr(main, "__spec__", None), "name", None):
        return []
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return sorted(name for name in names if name in sys.modules)


def _nothing() -> None:
    return None


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return f"killed by signal {name}"
    return f"exit code {exitcode}"


class ProcessProducer:
    """One channel's producer in a worker process; same surface as ``Producer``."""

    def __init__(
        self,
        info: ChannelInfo,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions,
        on_exit: Callable[[BaseException | None], None] | None = None,
        operation: ChannelOperation | None = None,
        database_url: str | None = None,
        timeline: Timeline | None = None,
        hang_s: float = HANG_S,
        start_s: float = START_S,
    ) -> None:
        self.channel = info
        self._hang_s, self._start_s = hang_s, start_s
        self.clock = clock
        self._publish = publish
        self._on_exit = on_exit
        self._operation = operation
        self._job = msg.WorkerJob(
            info, options,
            channel_id=operation.channel_id if operation is not None else None,
            database_url=database_url, timeline=timeline, clock=clock,
        )  # fmt: skip
        self.output = None  # a worker's output dies with it
        self.error: BaseException | None = None
        self.frames_out = self.boundaries = self.faults = 0
        self.start_mono: float | None = None
        self.pid: int | None = None
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._process: BaseProcess | None = None
        self._control: Connection | None = None
        self._send_lock = threading.Lock()
        self._open_items: dict[TimelineItem, None] = {}
        self._director: DirectorState | None = None
        self._reported: list[str | None] = []
        self._last_bytes_mono = 0.0
        self._on_air = False  # the current worker made its first frame: HANG_S, not START_S
        self._supervisor = threading.Thread(
            target=self._supervise, name=f"worker-{info.number}", daemon=True
        )

    # ---- the channel's side ----------------------------------------------------------------

    def start(self) -> None:
        self._supervisor.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        self._send(msg.Stop())
        self._supervisor.join(timeout_s)
        process = self._process
        if process is not None and process.is_alive():
            process.kill()
            self._supervisor.join(JOIN_S)

    @property
    def running(self) -> bool:
        return self._supervisor.is_alive()

    def speed(self) -> float:
        if self.start_mono is None:
            return 0.0
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        return self.frames_out / self.channel.profile.fps / elapsed_s if elapsed_s > 0 else 0.0

    # ---- the supervisor thread -------------------------------------------------------------

    def _supervise(self) -> None:
        error: BaseException | None = None
        try:
            error = self._run_worker()
        except Exception as err:  # the edge of the thread: the worker could not run
            log.exception("channel %s: worker failed", self.channel.number)
            error = err
        self.error = error
        self._fail_open_items(error)
        if self._on_exit is not None:
            self._on_exit(error)

    def _run_worker(self) -> BaseException | None:
        context = _context()
        control, child_control = context.Pipe(duplex=True)
        data, child_data = context.Pipe(duplex=False)
        self._director = self._mode()
        job = replace(self._job, director=self._director or NORMAL)
        process = context.Process(
            target=worker_main, args=(child_control, child_data),
            name=f"producer-{self.channel.number}", daemon=True,
        )  # fmt: skip
        self.start_mono = self._last_bytes_mono = self.clock.monotonic_s()
        self._on_air = False
        process.start()
        child_control.close()
        child_data.close()
        self._process, self._control, self.pid = process, control, process.pid
        self._send(job)
        if self._stopping.is_set():  # stopped while the worker was starting: it exits at once
            self._send(msg.Stop())
        reader = threading.Thread(
            target=self._read, args=(data,), name=f"worker-data-{self.channel.number}",
            daemon=True,
        )  # fmt: skip
        reader.start()
        self._follow(control, process)
        reader.join(JOIN_S)
        process.join(JOIN_S)
        control.close()
        data.close()
        return self._outcome(process)

    def _follow(self, control: Connection, process: BaseProcess) -> None:
        """Until the worker ends: its messages in, director modes out, a hang killed."""
        while True:
            try:
                if control.poll(DIRECTOR_POLL_S):
                    self._handle(control.recv())
            except (EOFError, OSError):
                return
            self._kill_if_hung(process)
            self._forward_mode()

    def _kill_if_hung(self, process: BaseProcess) -> None:
        """Silent past its bound: ``start_s`` until the worker's first audio or video bytes (its
        start may include a slow first read after the stream's first tables), then ``hang_s``."""
        started = self._on_air
        silent_s = self.clock.monotonic_s() - self._last_bytes_mono
        if silent_s <= (self._hang_s if started else self._start_s):
            return
        if not process.is_alive() or self._stopping.is_set():
            return
        what = "no output for" if started else "no output since its start for"
        log.error("channel %s: worker hung, %s %.1f s; killed", self.channel.number, what, silent_s)
        self._reported.append(f"hung: {what} {silent_s:.1f} s")
        process.kill()

    def _outcome(self, process: BaseProcess) -> BaseException | None:
        reported = self._reported[-1] if self._reported else None
        exitcode = process.exitcode
        if self._stopping.is_set():
            return None
        if reported is None and exitcode == 0:
            return None  # the job ended by itself (a frame limit)
        how = describe_exit(exitcode)
        return ProducerDied(f"producer process {how}" + (f": {reported}" if reported else ""))

    def _handle(self, message: msg.FromWorker) -> None:
        hooks = self._operation.hooks if self._operation is not None else None
        match message:
            case msg.ItemStarted(item, at_utc, offset_ms):
                self._open_items[item] = None
                if hooks is not None:
                    hooks.item_started(item, at_utc, offset_ms)
            case msg.ItemFinished(item, at_utc, status, error):
                self._open_items.pop(item, None)
                if hooks is not None:
                    hooks.item_finished(item, at_utc, status, error)
            case msg.Stats(frames_out, boundaries, faults):
                self.frames_out, self.boundaries, self.faults = frames_out, boundaries, faults
            case msg.LogRecord(level, logger, text):  # through the server's handlers
                logging.getLogger(logger).log(level, "channel %s: %s", self.channel.number, text)
            case msg.Exited(error):
                self._reported.append(error)

    def _mode(self) -> DirectorState | None:
        if self._operation is None:
            return None
        return self._operation.state()  # the poller keeps its last states when it cannot read

    def _forward_mode(self) -> None:
        state = self._mode()
        if state is not None and state != self._director:
            self._director = state
            self._send(msg.Director(state))

    def _send(self, message: msg.ToWorker) -> None:
        control = self._control
        if control is None:
            return
        with self._send_lock, contextlib.suppress(OSError, ValueError):
            control.send(message)  # a worker that is gone: the supervisor sees it

    def _fail_open_items(self, error: BaseException | None) -> None:
        hooks = self._operation.hooks if self._operation is not None else None
        if hooks is None or not self._open_items:
            return
        at_utc = self.clock.now_utc()
        status: FinalStatus = "failed" if error else "cut"
        detail = f"producer died: {error}" if error else None
        for item in list(self._open_items):
            hooks.item_finished(item, at_utc, status, detail)
        self._open_items.clear()

    # ---- the reader thread -----------------------------------------------------------------

    def _read(self, data: Connection) -> None:
        offset = 0  # bytes past the last TS packet boundary: null packets only at 0
        while True:
            try:
                if not data.poll(KEEPALIVE_S):
                    if offset == 0 and not self._stopping.is_set():
                        self._publish(NULL_PACKET)
                    continue
                chunk = data.recv_bytes()
            except (EOFError, OSError):
                return
            self._last_bytes_mono = self.clock.monotonic_s()
            self._on_air = self._on_air or carries_media(chunk)
            self._publish(chunk)
            offset = (offset + len(chunk)) % TS_PACKET
