"""Tuner accounting: first free, a named slot, busy errors, release."""

from __future__ import annotations

import pytest

from retrovue.errors import TunerError
from retrovue.hdhr.tuners import (
    AllTunersBusyError,
    NoSuchTunerError,
    TunerBusyError,
    TunerPool,
    TunerUse,
)

USE = TunerUse("2", "Two", "10.0.0.9")


def test_auto_takes_the_first_free_slot() -> None:
    pool = TunerPool(3)
    first = pool.acquire(USE)
    second = pool.acquire(USE)
    assert (first.index, second.index) == (0, 1)
    pool.release(first)
    assert pool.acquire(USE).index == 0


def test_all_busy_is_805() -> None:
    pool = TunerPool(1)
    pool.acquire(USE)
    with pytest.raises(AllTunersBusyError) as caught:
        pool.acquire(USE)
    assert caught.value.hdhr_code == "805 All Tuners In Use"
    assert isinstance(caught.value, TunerError)


def test_specific_slot_busy_is_804_and_unknown_slot_is_refused() -> None:
    pool = TunerPool(2)
    assert pool.acquire(USE, 1).index == 1
    with pytest.raises(TunerBusyError) as caught:
        pool.acquire(USE, 1)
    assert caught.value.hdhr_code == "804 Tuner In Use"
    with pytest.raises(NoSuchTunerError):
        pool.acquire(USE, 2)
    assert pool.acquire(USE).index == 0


def test_stale_release_does_not_free_a_new_holder() -> None:
    pool = TunerPool(1)
    old = pool.acquire(USE)
    pool.release(old)
    new = pool.acquire(TunerUse("4.1", "Cartoons", "10.0.0.8"))
    pool.release(old)
    assert pool.busy_count() == 1
    assert pool.states()[0].use == TunerUse("4.1", "Cartoons", "10.0.0.8")
    pool.release(new)
    assert [s.use for s in pool.states()] == [None]
