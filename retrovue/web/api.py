"""The read routes of the JSON API under ``/api/v1/`` (documented in ``docs/api.md``).

Errors are ``{"error": "..."}`` with the matching status, for unknown routes too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date, datetime, timedelta

from aiohttp import web

from retrovue.doctor.checks import run_all
from retrovue.errors import (
    ConflictError,
    NotFoundError,
    RetrovueError,
    ValidationError,
)
from retrovue.library.review import AssetFilter, show_asset
from retrovue.web import reads
from retrovue.web.context import error_response, hdhr_state, json_response, web_context
from retrovue.web.shapes import channel_json, channel_now_json, entry_json
from retrovue.web.station_view import as_run_json

API = "/api/v1"
DEFAULT_GUIDE_SPAN = timedelta(hours=3)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_instant(name: str, raw: str | None) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as err:
        raise ValidationError(f"{name}: not an ISO 8601 time: {raw!r}") from err
    if value.tzinfo is None:
        raise ValidationError(f"{name}: give a time zone (e.g. {raw}Z)")
    return value


def parse_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise ValidationError(f"{name}: not a whole number: {raw!r}") from err


def parse_day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as err:
        raise ValidationError(f"date: expected YYYY-MM-DD, got {raw!r}") from err


def half_hour_floor(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute - instant.minute % 30, second=0, microsecond=0)


def _bases(request: web.Request) -> tuple[str, str]:
    device = hdhr_state(request).device
    return device.base_url, device.stream_base_url


async def list_channels(request: web.Request) -> web.Response:
    ctx = web_context(request)
    rows = await asyncio.to_thread(reads.channels, ctx.database)
    base, streams = _bases(request)
    return json_response({"channels": [channel_json(c, base, streams) for c in rows]})


async def one_channel(request: web.Request) -> web.Response:
    ctx = web_context(request)
    row = await asyncio.to_thread(reads.find_channel, ctx.database, request.match_info["number"])
    return json_response({"channel": channel_json(row, *_bases(request))})


async def guide(request: web.Request) -> web.Response:
    ctx = web_context(request)
    query = request.query
    start = parse_instant("start", query.get("start")) or half_hour_floor(ctx.clock.now_utc())
    end = parse_instant("end", query.get("end")) or start + DEFAULT_GUIDE_SPAN
    chosen, entries = await asyncio.to_thread(
        reads.guide, ctx.database, start, end, query.get("channel") or None
    )
    base, streams = _bases(request)
    by_id: dict[str, list[dict[str, object]]] = {c.xmltv_id: [] for c in chosen}
    zones = {c.xmltv_id: c.timezone for c in chosen}
    for entry in entries:
        if entry.stop_utc > start and entry.start_utc < end:
            by_id[entry.channel_xmltv_id].append(entry_json(entry, zones[entry.channel_xmltv_id]))
    channels = [{**channel_json(c, base, streams), "programmes": by_id[c.xmltv_id]} for c in chosen]
    return json_response({"start_utc": start, "end_utc": end, "channels": channels})


async def on_now(request: web.Request) -> web.Response:
    ctx = web_context(request)
    at = ctx.clock.now_utc()
    rows = await asyncio.to_thread(reads.on_now, ctx.database, at)
    viewers = ctx.view.viewers()
    base, streams = _bases(request)
    tuners = ctx.view.tuners(hdhr_state(request))
    return json_response(
        {
            "at_utc": at,
            "channels": [
                channel_now_json(r, at, viewers.get(r.channel.number, 0), base, streams)
                for r in rows
            ],
            "tuners": [asdict(tuner) for tuner in tuners],
            "tuners_in_use": sum(t.channel is not None for t in tuners),
        }
    )


async def list_assets(request: web.Request) -> web.Response:
    ctx = web_context(request)
    query = request.query
    filters = AssetFilter(
        source=query.get("source") or None,
        state=query.get("state") or None,
        series=query.get("series") or None,
    )
    limit = parse_int("limit", query.get("limit"), reads.DEFAULT_PAGE)
    offset = parse_int("offset", query.get("offset"), 0)
    page = await asyncio.to_thread(reads.assets_page, ctx.database, filters, limit, offset)
    return json_response(
        {"assets": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}
    )


def asset_id(request: web.Request) -> int:
    return parse_int("asset id", request.match_info["asset_id"], 0)


async def one_asset(request: web.Request) -> web.Response:
    ctx = web_context(request)
    detail = await asyncio.to_thread(show_asset, ctx.database, asset_id(request))
    return json_response({"asset": detail})


async def as_run(request: web.Request) -> web.Response:
    ctx = web_context(request)
    number = request.query.get("channel")
    if not number:
        raise ValidationError("channel: give the channel number (?channel=2)")
    day = await asyncio.to_thread(ctx.view.as_run, number, parse_day(request.query.get("date")))
    channel = day.channel
    return json_response(
        {
            "channel": channel.number,
            "name": channel.name,
            "timezone": channel.timezone,
            "date": channel.day,
            "start_utc": channel.start_utc,
            "end_utc": channel.end_utc,
            "entries": [as_run_json(entry) for entry in day.entries],
        }
    )


async def health(request: web.Request) -> web.Response:
    ctx = web_context(request)
    checks = await asyncio.to_thread(run_all, ctx.settings, ctx.clock, lambda: ctx.database)
    return json_response({"ok": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]})


JPEG_HEADERS = {"Cache-Control": "max-age=15"}


async def channel_thumbnail(request: web.Request) -> web.Response:
    """A frame of what is on the channel now, at the current offset (cached briefly)."""
    ctx = web_context(request)
    number = request.match_info["number"]
    item = await asyncio.to_thread(reads.on_air_item, ctx.database, number, ctx.clock.now_utc())
    if item is None or not item.file_path:
        raise NotFoundError(f"nothing with pictures is on channel {number} now")
    body = await asyncio.to_thread(
        ctx.thumbnails.get, f"channel:{number}", item.file_path, item.asset_offset_ms
    )
    return web.Response(body=body, content_type="image/jpeg", headers=JPEG_HEADERS)


async def asset_thumbnail(request: web.Request) -> web.Response:
    """A frame of a library asset, a tenth of the way in (at most five minutes)."""
    ctx = web_context(request)
    detail = await asyncio.to_thread(show_asset, ctx.database, asset_id(request))
    path = detail.get("file_path")
    if not path:
        raise NotFoundError(f"asset {detail['id']} has no local file")
    offset_ms = min(300_000, (detail.get("duration_ms") or 0) // 10)
    body = await asyncio.to_thread(
        ctx.thumbnails.get, f"asset:{detail['id']}", str(path), offset_ms
    )
    return web.Response(body=body, content_type="image/jpeg", headers=JPEG_HEADERS)


def status_of(err: RetrovueError) -> int:
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, ConflictError):
        return 409
    return 400


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under ``/api/``: every error is JSON (the router's 404 and 405 included)."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        message = {404: "no such API route", 405: "method not allowed"}.get(err.status, err.reason)
        return error_response(err.status, message)
    except RetrovueError as err:
        return error_response(status_of(err), err.message)


def add_api_routes(app: web.Application) -> None:
    app.middlewares.append(api_errors)
    app.router.add_get(f"{API}/channels", list_channels)
    app.router.add_get(f"{API}/channels/{{number}}", one_channel)
    app.router.add_get(f"{API}/channels/{{number}}/thumbnail.jpg", channel_thumbnail)
    app.router.add_get(f"{API}/guide", guide)
    app.router.add_get(f"{API}/on-now", on_now)
    app.router.add_get(f"{API}/assets", list_assets)
    app.router.add_get(f"{API}/assets/{{asset_id}}", one_asset)
    app.router.add_get(f"{API}/assets/{{asset_id}}/thumbnail.jpg", asset_thumbnail)
    app.router.add_get(f"{API}/as-run", as_run)
    app.router.add_get(f"{API}/health", health)
