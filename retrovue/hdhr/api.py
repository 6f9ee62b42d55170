"""The HDHomeRun HTTP API: discovery documents, lineup, status and the stream routes.

Read-only: nothing here changes configuration, and no route reads a file named by the request.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from retrovue.hdhr.documents import (
    ScanState,
    device_xml,
    discover_json,
    lineup_json,
    lineup_status_json,
    lineup_xml,
    status_json,
)
from retrovue.hdhr.state import HDHR_STATE, HdhrState
from retrovue.hdhr.streaming import stream_handler

XML = "application/xml"
JSON = "application/json"

log = logging.getLogger(__name__)


def _state(request: web.Request) -> HdhrState:
    return request.app[HDHR_STATE]


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


async def discover(request: web.Request) -> web.Response:
    state = _state(request)
    if state.discover_body is None:
        state.discover_body = _json_bytes(discover_json(state.device))
    return web.Response(body=state.discover_body, content_type=JSON)


async def lineup(request: web.Request) -> web.Response:
    """The lineup JSON, encoded once per lineup read (the cache hands out the same tuple)."""
    state = _state(request)
    channels = await state.lineup.get()
    if state.lineup_body is None or state.lineup_body[0] is not channels:
        state.lineup_body = (channels, _json_bytes(lineup_json(state.device, channels)))
    return web.Response(body=state.lineup_body[1], content_type=JSON)


async def lineup_as_xml(request: web.Request) -> web.Response:
    state = _state(request)
    body = lineup_xml(state.device, await state.lineup.get())
    return web.Response(text=body, content_type=XML, charset="utf-8")


async def lineup_status(request: web.Request) -> web.Response:
    return web.json_response(lineup_status_json(_state(request).scan))


async def lineup_post(request: web.Request) -> web.Response:
    """``scan=start`` re-reads the lineup (a short, harmless refresh); ``abort`` ends it."""
    state = _state(request)
    action = request.query.get("scan", "")
    if action == "start" and not state.scan.in_progress:
        state.scan = ScanState(in_progress=True)
        try:
            found = len(await state.lineup.refresh())
        finally:
            state.scan = ScanState()
        log.info("lineup scan from %s: %d channels", request.remote, found)
    elif action == "abort":
        state.scan = ScanState()
    return web.Response(status=200)


async def device_description(request: web.Request) -> web.Response:
    return web.Response(text=device_xml(_state(request).device), content_type=XML, charset="utf-8")


async def tuner_status(request: web.Request) -> web.Response:
    return web.json_response(status_json(_state(request).tuners.states()))


async def _cancel_streams(app: web.Application) -> None:
    tasks = list(app[HDHR_STATE].stream_tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await app[HDHR_STATE].lineup.close()


def add_hdhr_routes(app: web.Application, state: HdhrState) -> None:
    app[HDHR_STATE] = state
    app.router.add_get("/discover.json", discover)
    app.router.add_get("/lineup.json", lineup)
    app.router.add_get("/lineup.xml", lineup_as_xml)
    app.router.add_get("/lineup_status.json", lineup_status)
    app.router.add_route("GET", "/lineup.post", lineup_post)
    app.router.add_route("POST", "/lineup.post", lineup_post)
    app.router.add_get("/device.xml", device_description)
    app.router.add_get("/capability", device_description)
    app.router.add_get("/status.json", tuner_status)
    app.router.add_get("/auto/v{number}", stream_handler)
    app.router.add_get(r"/tuner{index:\d+}/v{number}", stream_handler)
    app.on_shutdown.append(_cancel_streams)
