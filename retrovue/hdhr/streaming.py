"""The stream routes ``/auto/v<num>`` and ``/tuner<N>/v<num>``: tuner accounting and hand-off.

The handler takes a tuner slot, opens the channel through the runtime's StreamService and
copies MPEG-TS to the client until it leaves or ``duration=`` ends. The slot is freed the
moment the client disconnects (the runner cancels the handler; ``finally`` releases it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from retrovue.clock import Clock
from retrovue.errors import NotFoundError, StreamError, TunerError
from retrovue.hdhr.state import HDHR_STATE, HdhrState
from retrovue.hdhr.tuners import TunerUse
from retrovue.runtime.interface import StreamSession

TS_CONTENT_TYPE = "video/mp2t"
ERROR_HEADER = "X-HDHomeRun-Error"

log = logging.getLogger(__name__)


def hdhr_error(status: int, code: str) -> web.Response:
    """An error with the HDHomeRun code in a header and an EMPTY body (Jellyfin records bodies)."""
    return web.Response(status=status, headers={ERROR_HEADER: code})


def parse_duration_s(raw: str | None) -> float | None:
    """``duration=`` in seconds; absent, malformed or <= 0 means "until the client leaves"."""
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def tuner_index(text: str, count: int) -> int | None:
    """The tuner ``/tuner<text>/`` names, or None when there is no such tuner (any number of
    digits: no int() of thousands of them)."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(count)):
        return None
    index = int(digits)
    return index if index < count else None


def _stream_headers() -> dict[str, str]:
    return {"Content-Type": TS_CONTENT_TYPE, "Cache-Control": "no-cache"}


async def stream_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[HDHR_STATE]
    number = request.match_info["number"]
    index_text = request.match_info.get("index")
    index = None if index_text is None else tuner_index(index_text, state.tuners.count)
    if index_text is not None and index is None:
        return web.Response(status=404)  # no such tuner
    channel = await state.lineup.find(number)
    if channel is None:
        return hdhr_error(404, "801 Unknown Channel")
    if request.method == "HEAD":
        return web.Response(headers=_stream_headers())
    client = request.remote or "unknown"
    try:
        lease = state.tuners.acquire(TunerUse(number, channel.name, client), index)
    except TunerError as err:
        return hdhr_error(503, getattr(err, "hdhr_code", "803 System Busy"))
    task = asyncio.current_task()
    if task is not None:
        state.stream_tasks.add(task)
    try:
        return await _serve(request, state, number, client)
    finally:
        state.tuners.release(lease)
        if task is not None:
            state.stream_tasks.discard(task)


async def _serve(
    request: web.Request, state: HdhrState, number: str, client: str
) -> web.StreamResponse:
    try:
        session = await state.streams.open(number, client=client)
    except NotFoundError:
        return hdhr_error(404, "801 Unknown Channel")
    except StreamError as err:
        log.warning("channel %s cannot start for %s: %s", number, client, err)
        return hdhr_error(503, "806 Tune Failed")
    log.info("stream %s to %s started", number, client)
    response = web.StreamResponse(headers=_stream_headers())
    response.force_close()  # a stream ends with its connection, as on a real tuner
    try:
        await response.prepare(request)
        duration_s = parse_duration_s(request.query.get("duration"))
        await _copy(request, session, response, duration_s, state.clock)
        await response.write_eof()
    except ConnectionError:
        pass  # the client left; the slot is released by the caller
    finally:
        log.info("stream %s to %s ended", number, client)
        await _close_quietly(session)
    return response


async def _pump(session: StreamSession, response: web.StreamResponse) -> None:
    chunks: AsyncIterator[bytes] = aiter(session)
    async for chunk in chunks:
        await response.write(chunk)


async def _copy(
    request: web.Request,
    session: StreamSession,
    response: web.StreamResponse,
    duration_s: float | None,
    clock: Clock,
) -> None:
    """Copy until the stream ends, ``duration_s`` passes or the runtime drops the viewer (it
    stopped reading: the write may be stuck on a full socket, so the connection is aborted)."""
    pump = asyncio.ensure_future(_pump(session, response))
    dropped = asyncio.ensure_future(session.dropped())
    waits = {pump, dropped}
    if duration_s is not None:
        waits.add(asyncio.ensure_future(clock.sleep_s(duration_s)))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if dropped.done():
            _abort(request)
            raise ConnectionResetError("viewer dropped: it stopped reading")
    finally:
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
    error = pump.exception() if pump.done() and not pump.cancelled() else None
    if error is not None:
        raise error


def _abort(request: web.Request) -> None:
    log.warning("stream to %s: viewer stopped reading, connection closed", request.remote)
    if request.transport is not None:
        request.transport.abort()


async def _close_quietly(session: StreamSession) -> None:
    try:
        await session.close()
    except Exception:  # closing must never keep a slot or crash the handler
        log.exception("closing a stream session failed")
