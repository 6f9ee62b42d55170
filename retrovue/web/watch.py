"""``/watch/<n>/stream.mp4``: a channel for the browser's plain ``<video>`` element.

The handler joins the channel's shared stream as one more viewer of its producer (the runtime
counts it like any other viewer) and remuxes the MPEG-TS into fragmented MP4 on the fly (no
encode). It never takes a tuner: it does not touch the tuner pool, so a DVR always finds the
tuners it would find without browsers watching. At most ``MAX_BROWSER_VIEWERS`` browser streams
run at once (each costs a remux thread); the next gets 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from retrovue.errors import NotFoundError, StreamError
from retrovue.web import reads
from retrovue.web.context import WebContext, web_context
from retrovue.web.remux import Remuxer
from retrovue.web.station_view import StreamSession

MAX_BROWSER_VIEWERS = 4
OUT_QUEUE_CHUNKS = 64
EMIT_TIMEOUT_S = 30.0
RETRY_S = 0.02

log = logging.getLogger(__name__)


class _Pipe:
    """MP4 bytes from the remux thread to the handler, bounded (a slow browser holds the
    remuxer back, and in the end the hub drops it like any slow viewer)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=OUT_QUEUE_CHUNKS)
        self.closed = False

    def emit(self, body: bytes) -> None:  # remux thread
        if self.closed:
            return
        future = asyncio.run_coroutine_threadsafe(self.queue.put(body), self.loop)
        with contextlib.suppress(Exception):
            future.result(EMIT_TIMEOUT_S)

    def done(self, _error: BaseException | None) -> None:  # remux thread
        if not self.loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.queue.put(None), self.loop)

    def drain(self) -> None:
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()


async def _feed(session: StreamSession, remuxer: Remuxer) -> None:
    async for chunk in aiter(session):
        while not remuxer.offer(chunk):
            await asyncio.sleep(RETRY_S)
    remuxer.finish()


async def watch_stream(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    number = request.match_info["number"]
    try:
        await asyncio.to_thread(reads.find_channel, ctx.database, number)
    except NotFoundError as err:
        raise web.HTTPNotFound(text=err.message) from err
    if ctx.browser_viewers >= MAX_BROWSER_VIEWERS:
        raise web.HTTPServiceUnavailable(text="too many browsers are watching; try again later")
    ctx.browser_viewers += 1
    try:
        return await _serve(request, ctx, number)
    finally:
        ctx.browser_viewers -= 1


async def _serve(request: web.Request, ctx: WebContext, number: str) -> web.StreamResponse:
    client = f"browser {request.remote or 'unknown'}"
    try:
        session = await ctx.view.open_viewer(number, client)
    except StreamError as err:
        raise web.HTTPServiceUnavailable(text=err.message) from err
    pipe = _Pipe(asyncio.get_running_loop())
    remuxer = Remuxer(pipe.emit, pipe.done)
    remuxer.start()
    feeder = asyncio.create_task(_feed(session, remuxer), name=f"watch-{number}")
    response = web.StreamResponse(
        headers={"Content-Type": "video/mp4", "Cache-Control": "no-store"}
    )
    response.force_close()
    log.info("browser stream %s to %s started", number, client)
    try:
        await response.prepare(request)
        while (body := await pipe.queue.get()) is not None:
            await response.write(body)
        await response.write_eof()
    except ConnectionError:
        pass  # the browser left
    finally:
        feeder.cancel()
        await asyncio.gather(feeder, return_exceptions=True)
        remuxer.cancel()
        pipe.drain()
        await session.close()
        await asyncio.to_thread(remuxer.join)
        log.info("browser stream %s to %s ended", number, client)
    return response


def add_watch_routes(app: web.Application) -> None:
    app.router.add_get("/watch/{number}/stream.mp4", watch_stream)
