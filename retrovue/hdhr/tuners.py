"""Tuner accounting: N slots; the first free one for ``/auto``, a named one for ``/tunerN``.

Each slot also keeps what the TCP 65001 control protocol set on that tuner (its lock, channel,
program, filter and target, :class:`ControlState`): one place for both ways of using a tuner.
The pool is touched only from the event loop, so plain method calls are atomic.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from retrovue.errors import TunerError
from retrovue.hdhr.tuning import FULL_FILTER, ChannelValue, PidRanges, Target


class AllTunersBusyError(TunerError):
    """No slot is free (HDHomeRun error 805)."""

    hdhr_code = "805 All Tuners In Use"


class TunerBusyError(TunerError):
    """The requested slot is taken (HDHomeRun error 804)."""

    hdhr_code = "804 Tuner In Use"


class NoSuchTunerError(TunerError):
    """The requested slot does not exist."""

    hdhr_code = "801 Unknown Tuner"


@dataclass(frozen=True)
class TunerUse:
    """What a busy slot is doing."""

    channel_number: str
    channel_name: str
    client: str


class RateMeter:
    """Bytes and TS packets sent; rates are what was sent during the last second."""

    WINDOW_S = 1.0

    def __init__(self) -> None:
        self._recent: deque[tuple[float, int, int]] = deque()
        self.bytes_total = 0
        self.packets_total = 0

    def _trim(self, now_s: float) -> None:
        while self._recent and self._recent[0][0] <= now_s - self.WINDOW_S:
            self._recent.popleft()

    def record(self, byte_count: int, packet_count: int, now_s: float) -> None:
        self._recent.append((now_s, byte_count, packet_count))
        self._trim(now_s)
        self.bytes_total += byte_count
        self.packets_total += packet_count

    def rates(self, now_s: float) -> tuple[int, int]:
        """Bits per second and packets per second over the last second."""
        self._trim(now_s)
        sent_bytes = sum(entry[1] for entry in self._recent)
        packets = sum(entry[2] for entry in self._recent)
        return round(sent_bytes * 8 / self.WINDOW_S), round(packets / self.WINDOW_S)


@dataclass
class ControlState:
    """What control clients set on one tuner (the event loop's, like the pool)."""

    owner: str | None = None  # the address of the client that last set a variable here
    lock_key: int | None = None
    channel: ChannelValue | None = None
    program: int | None = None
    ranges: PidRanges = FULL_FILTER
    target: Target | None = None
    seen_s: float = 0.0  # when the owner last spoke (control request or keep-alive)
    lease: Lease | None = None  # the slot, held while locked or streaming
    meter: RateMeter = field(default_factory=RateMeter)

    @property
    def idle(self) -> bool:
        return self.channel is None and self.lock_key is None and self.target is None

    def view(self, now_s: float, holds_slot: bool) -> ControlView:
        bps, pps = self.meter.rates(now_s) if self.target is not None else (0, 0)
        return ControlView(
            self.owner, self.lock_key is not None, self.channel, self.program, self.ranges,
            self.target, holds_slot, bps, pps,
        )  # fmt: skip


@dataclass(frozen=True)
class ControlView:
    """A snapshot of :class:`ControlState` for the get answers."""

    owner: str | None
    locked: bool
    channel: ChannelValue | None
    program: int | None
    ranges: PidRanges
    target: Target | None
    holds_slot: bool = False
    bps: int = 0
    pps: int = 0


@dataclass(frozen=True)
class TunerState:
    index: int
    use: TunerUse | None
    control: ControlView | None = None

    @property
    def resource(self) -> str:
        return f"tuner{self.index}"


@dataclass(frozen=True)
class Lease:
    index: int
    token: int


class TunerPool:
    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("a tuner pool needs at least one tuner")
        self._slots: list[tuple[int, TunerUse] | None] = [None] * count
        self._next_token = 1
        self.controls = [ControlState() for _ in range(count)]

    @property
    def count(self) -> int:
        return len(self._slots)

    def acquire(self, use: TunerUse, index: int | None = None) -> Lease:
        """Take slot ``index`` (or the first free one); raise a :class:`TunerError` subclass."""
        if index is None:  # tuners tuned over 65001 last: their client may stream next
            free = next(
                (i for i in self._free() if self.controls[i].idle),
                next(iter(self._free()), None),
            )
            if free is None:
                raise AllTunersBusyError(f"all {self.count} tuners are in use")
            index = free
        elif not 0 <= index < self.count:
            raise NoSuchTunerError(f"tuner{index} does not exist (0..{self.count - 1})")
        elif self._slots[index] is not None:
            raise TunerBusyError(f"tuner{index} is in use")
        token = self._next_token
        self._next_token += 1
        self._slots[index] = (token, use)
        return Lease(index, token)

    def release(self, lease: Lease) -> None:
        """Free the slot; releasing twice (or a stale lease) does nothing."""
        slot = self._slots[lease.index]
        if slot is not None and slot[0] == lease.token:
            self._slots[lease.index] = None

    def _control_view(self, index: int, now_s: float) -> ControlView:
        control = self.controls[index]
        holds = control.lease is not None and self.holds(control.lease)
        return control.view(now_s, holds)

    def use_of(self, index: int) -> TunerUse | None:
        slot = self._slots[index]
        return None if slot is None else slot[1]

    def holds(self, lease: Lease) -> bool:
        slot = self._slots[lease.index]
        return slot is not None and slot[0] == lease.token

    def update(self, lease: Lease, use: TunerUse) -> None:
        """What a held slot is doing now (a control client tuned another channel)."""
        if self.holds(lease):
            self._slots[lease.index] = (lease.token, use)

    def _free(self) -> list[int]:
        return [i for i, slot in enumerate(self._slots) if slot is None]

    def states(self, now_s: float = 0.0) -> list[TunerState]:
        return [
            TunerState(
                i,
                None if slot is None else slot[1],
                None if self.controls[i].idle else self._control_view(i, now_s),
            )
            for i, slot in enumerate(self._slots)
        ]

    def busy_count(self) -> int:
        return sum(slot is not None for slot in self._slots)
