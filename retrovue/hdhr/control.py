"""Tuning over TCP 65001: the sets of tuner variables, the lock, UDP/RTP targets (the shell).

A client tunes as it would a real unit: ``lockkey`` (optional), ``channel`` or ``vchannel``,
``program``, ``filter``, then ``target``; the channel then streams to the target as one more
viewer of the runtime's fan-out, and the tuner's slot (``tuners.py``, shared with the HTTP
streams) is held while the tuner is locked or streaming.

What ends a stream: ``target none``, a lock release, the tuner re-tuned (the old channel's viewer
leaves; the target gets the new channel), the target's host refusing the datagrams, or a silent
client: nothing from its owner (a control request, or the keep-alive libhdhomerun sends once a
second from its video socket to UDP port 5004: the lock key as four bytes) for ``timeout_s``
(30 s, a real unit's lock expiry). The tuner is then reset and its slot freed.

Safe by default: a target must be the address of the control client that sets it, unless
``any_target`` allows any (a real unit sends anywhere; an appliance must not reflect traffic).
"""

from __future__ import annotations

import asyncio
import logging
import re
import struct
from dataclasses import dataclass

from retrovue.errors import NotFoundError, StreamError, TunerError
from retrovue.hdhr import getset
from retrovue.hdhr.packets import GetSetReply, GetSetRequest
from retrovue.hdhr.state import HdhrState
from retrovue.hdhr.tuners import ControlState, TunerUse
from retrovue.hdhr.tunervars import selected
from retrovue.hdhr.tuning import (
    INVALID_CHANNEL,
    INVALID_PROGRAM,
    BadValue,
    ChannelValue,
    parse_channel,
    parse_channelmap,
    parse_filter,
    parse_lockkey,
    parse_program,
    parse_target,
    parse_vchannel,
)
from retrovue.hdhr.udpsend import UdpStream

log = logging.getLogger(__name__)

KEEPALIVE_PORT = 5004  # where libhdhomerun sends its keep-alives, whatever the stream port
CONTROL_TIMEOUT_S = 30.0
SETTABLE = ("channel", "vchannel", "program", "filter", "target", "lockkey", "channelmap")
TUNE_FAILED = "ERROR: tune failed"
TARGET_NOT_CLIENT = "ERROR: target must be the address of the client that sets it"
TUNER_NAME = re.compile(r"/tuner([0-9]{1,6})/([a-z]+)")


def locked_by(address: str | None) -> str:
    return f"ERROR: resource locked by {address or 'another client'}"


@dataclass(frozen=True)
class ControlOptions:
    any_target: bool = False
    timeout_s: float = CONTROL_TIMEOUT_S


class TunerController:
    """Applies sets to the tuners of ``state`` (event loop only; one set at a time)."""

    def __init__(self, state: HdhrState, options: ControlOptions | None = None) -> None:
        self._state = state
        self._options = options or ControlOptions()
        self._streams: dict[int, UdpStream] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Future[None]] = set()
        self._keepalive: asyncio.DatagramTransport | None = None

    # ---- requests --------------------------------------------------------------------------

    def _now_s(self) -> float:
        return self._state.clock.monotonic_s()

    def _control(self, index: int) -> ControlState:
        return self._state.tuners.controls[index]

    def _tuner_of(self, name: str) -> tuple[int, str] | None:
        match = TUNER_NAME.fullmatch(name)
        if match is None or int(match.group(1)) >= self._state.tuners.count:
            return None
        return int(match.group(1)), match.group(2)

    async def answer(self, request: GetSetRequest, peer: str) -> GetSetReply:
        """The reply to one get or set from the control client at address ``peer``."""
        tuner = self._tuner_of(request.name)
        if tuner is None or request.value is None or tuner[1] not in SETTABLE:
            if tuner is not None and self._control(tuner[0]).owner == peer:
                self._control(tuner[0]).seen_s = self._now_s()
            return getset.answer(self._state.view(), request)
        index, variable = tuner
        async with self._lock:
            try:
                error = await self._set(index, variable, request.value, request.lockkey, peer)
            except BadValue as err:
                error = str(err)
        if error is not None:
            return GetSetReply(request.name, error=error)
        return getset.answer(self._state.view(), GetSetRequest(request.name))

    def _http_user(self, index: int) -> TunerUse | None:
        """Who streams from this tuner over HTTP (its slot not held by the control side)."""
        lease = self._control(index).lease
        if lease is not None and self._state.tuners.holds(lease):
            return None
        return self._state.tuners.use_of(index)

    def _refusal(self, index: int, key: int | None) -> str | None:
        control = self._control(index)
        if control.lock_key is not None and key != control.lock_key:
            return locked_by(control.owner)
        user = self._http_user(index)
        return None if user is None else locked_by(user.client)

    async def _set(
        self, index: int, variable: str, value: str, key: int | None, peer: str
    ) -> str | None:
        if variable == "lockkey":
            return await self._set_lock(index, value, key, peer)
        refusal = self._refusal(index, key)
        if refusal is not None:
            return refusal
        control = self._control(index)
        control.owner, control.seen_s = peer, self._now_s()
        if variable == "channel":
            return await self._tune(index, parse_channel(value))
        if variable == "vchannel":
            return await self._set_vchannel(index, parse_vchannel(value))
        if variable == "program":
            return await self._set_program(index, parse_program(value))
        if variable == "filter":
            control.ranges = parse_filter(value)
            return None
        if variable == "target":
            return await self._set_target(index, value, peer)
        parse_channelmap(value)
        return None

    async def _set_lock(self, index: int, value: str, key: int | None, peer: str) -> str | None:
        request = parse_lockkey(value)
        control = self._control(index)
        if request.force:
            await self._reset(index, "lock forced off")
            return None
        if control.lock_key is not None and key != control.lock_key:
            return locked_by(control.owner)
        if request.key is None:
            if control.lock_key is not None:
                await self._reset(index, "lock released")
            return None
        user = self._http_user(index)
        if user is not None:
            return locked_by(user.client)
        control.lock_key, control.owner, control.seen_s = request.key, peer, self._now_s()
        error = self._hold(index)
        if error is not None:
            control.lock_key = None
        return error

    async def _tune(self, index: int, channel: ChannelValue | None) -> str | None:
        control = self._control(index)
        control.channel, control.program = channel, None
        return await self._restream(index)

    async def _set_vchannel(self, index: int, number: str | None) -> str | None:
        if number is None:
            return await self._tune(index, None)
        if not any(c.number == number for c in await self._state.lineup.get()):
            raise BadValue(INVALID_CHANNEL)
        return await self._tune(index, ChannelValue(f"auto:{number}", "auto", number))

    async def _set_program(self, index: int, program: int | None) -> str | None:
        control = self._control(index)
        lineup = await self._state.lineup.get()
        if control.channel and program and selected(control.channel, program, lineup) is None:
            raise BadValue(INVALID_PROGRAM)
        control.program = program
        return await self._restream(index)

    async def _set_target(self, index: int, value: str, peer: str) -> str | None:
        target = parse_target(value)
        if target is not None and target.host != peer and not self._options.any_target:
            return TARGET_NOT_CLIENT
        control = self._control(index)
        control.target = target
        error = await self._restream(index)
        if error is not None:
            control.target = None
            self._settle(index)
        return error

    # ---- the slot and the stream -----------------------------------------------------------

    def _use(self, index: int) -> TunerUse:
        control = self._control(index)
        stream = self._streams.get(index)
        number, name = (stream.channel_number, stream.channel_name) if stream else ("none", "")
        client = control.target.host if control.target is not None else control.owner
        return TunerUse(number, name, client or "unknown")

    def _hold(self, index: int) -> str | None:
        """Take (or keep) the tuner's slot; an error reply when HTTP holds it."""
        control = self._control(index)
        if control.lease is not None and self._state.tuners.holds(control.lease):
            self._state.tuners.update(control.lease, self._use(index))
            return None
        try:
            control.lease = self._state.tuners.acquire(self._use(index), index)
        except TunerError:
            user = self._state.tuners.use_of(index)
            return locked_by(None if user is None else user.client)
        return None

    def _settle(self, index: int) -> None:
        """Hold the slot exactly while the tuner is locked or streaming."""
        control = self._control(index)
        if control.lock_key is not None or index in self._streams:
            self._hold(index)
        elif control.lease is not None:
            self._state.tuners.release(control.lease)
            control.lease = None

    async def _restream(self, index: int) -> str | None:
        """Make the stream match the tuner's channel, program and target."""
        control = self._control(index)
        lineup = await self._state.lineup.get()
        chosen = (
            None if control.channel is None else selected(control.channel, control.program, lineup)
        )
        want = None if chosen is None or control.target is None else (chosen.number, control.target)
        stream = self._streams.get(index)
        if want == (None if stream is None else (stream.channel_number, stream.target)):
            self._settle(index)
            return None
        await self._stop_stream(index)
        if chosen is None or control.target is None:
            self._settle(index)
            return None
        error = self._hold(index)
        if error is None:
            error = await self._start_stream(index, chosen.number, chosen.name, control)
        self._settle(index)
        return error

    async def _start_stream(
        self, index: int, number: str, name: str, control: ControlState
    ) -> str | None:
        target = control.target
        assert target is not None
        try:
            session = await self._state.streams.open(number, client=str(target))
        except (NotFoundError, StreamError) as err:
            log.warning("tuner%d: channel %s cannot start for %s: %s", index, number, target, err)
            return TUNE_FAILED

        def on_end(reason: str) -> None:
            self._ended(index, stream, reason)

        stream = UdpStream(
            session, target, control, self._state.clock, on_end,
            channel_number=number, channel_name=name,
        )  # fmt: skip
        try:
            await stream.start()
        except OSError as err:
            await stream.stop()
            log.warning("tuner%d: cannot send to %s: %s", index, target, err)
            return TUNE_FAILED
        self._streams[index] = stream
        log.info("tuner%d: channel %s streaming to %s", index, number, target)
        return None

    def _ended(self, index: int, stream: UdpStream, reason: str) -> None:
        task = asyncio.ensure_future(self._after_end(index, stream, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_end(self, index: int, stream: UdpStream, reason: str) -> None:
        async with self._lock:
            if self._streams.get(index) is not stream:
                return
            log.info("tuner%d: stream to %s ended: %s", index, stream.target, reason)
            await self._stop_stream(index)
            self._control(index).target = None
            self._settle(index)

    async def _stop_stream(self, index: int) -> None:
        stream = self._streams.pop(index, None)
        if stream is not None:
            await stream.stop()
            log.info("tuner%d: stream to %s stopped", index, stream.target)

    async def _reset(self, index: int, reason: str) -> None:
        """Untune: no stream, no lock, no channel; the slot is freed."""
        await self._stop_stream(index)
        control = self._control(index)
        if control.lease is not None:
            self._state.tuners.release(control.lease)
        if not control.idle:
            log.info("tuner%d: reset (%s)", index, reason)
        self._state.tuners.controls[index] = ControlState()

    # ---- keep-alives and silent clients ----------------------------------------------------

    def keepalive(self, data: bytes, address: tuple[str, int]) -> None:
        """A libhdhomerun keep-alive: the lock key (u32) from the target's own address."""
        if len(data) != 4:
            return
        (key,) = struct.unpack(">I", data)
        for control in self._state.tuners.controls:
            target = control.target
            if target is None or (target.host, target.port) != (address[0], address[1]):
                continue
            if control.lock_key is None or control.lock_key == key:
                control.seen_s = self._now_s()

    async def expire_silent(self) -> None:
        """Reset every tuner whose owner has been silent for longer than the timeout."""
        now_s = self._now_s()
        for index, control in enumerate(list(self._state.tuners.controls)):
            if not control.idle and now_s - control.seen_s > self._options.timeout_s:
                async with self._lock:
                    await self._reset(
                        index, f"{control.owner} silent for {self._options.timeout_s:g} s"
                    )

    async def _watch(self) -> None:
        period_s = min(1.0, self._options.timeout_s / 4)
        while True:
            await self._state.clock.sleep_s(period_s)
            try:
                await self.expire_silent()
            except Exception:  # the edge of a task: log, keep watching
                log.exception("tuner watchdog failed")

    async def start(self, host: str, keepalive_port: int = KEEPALIVE_PORT) -> None:
        """Listen for keep-alives and watch for silent clients."""
        watch = asyncio.ensure_future(self._watch())
        self._tasks.add(watch)
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _KeepAlive(self), local_addr=(host, keepalive_port)
            )
        except OSError as err:
            log.warning(
                "UDP keep-alives off: cannot use port %d (%s); UDP streams of libhdhomerun "
                "clients end after %g s without control traffic",
                keepalive_port,
                err.strerror or err,
                self._options.timeout_s,
            )
            return
        self._keepalive = transport

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._keepalive is not None:
            self._keepalive.close()
        async with self._lock:
            for index in range(self._state.tuners.count):
                await self._reset(index, "station stopping")


class _KeepAlive(asyncio.DatagramProtocol):
    def __init__(self, controller: TunerController) -> None:
        self._controller = controller

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(addr) >= 2 and isinstance(addr[0], str) and isinstance(addr[1], int):
            self._controller.keepalive(data, (addr[0], addr[1]))
