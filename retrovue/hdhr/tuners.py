"""Tuner accounting: N slots; the first free one for ``/auto``, a named one for ``/tunerN``.

The pool is touched only from the event loop, so plain method calls are atomic.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.errors import TunerError


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


@dataclass(frozen=True)
class TunerState:
    index: int
    use: TunerUse | None

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

    @property
    def count(self) -> int:
        return len(self._slots)

    def acquire(self, use: TunerUse, index: int | None = None) -> Lease:
        """Take slot ``index`` (or the first free one); raise a :class:`TunerError` subclass."""
        if index is None:
            free = next((i for i, slot in enumerate(self._slots) if slot is None), None)
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

    def states(self) -> list[TunerState]:
        return [
            TunerState(i, None if slot is None else slot[1]) for i, slot in enumerate(self._slots)
        ]

    def busy_count(self) -> int:
        return sum(slot is not None for slot in self._slots)
