"""The station's pages, rendered on the server with Jinja2 (no script needed, no CDN).

Looking needs no login; the review page's buttons post forms that need the operator's session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from retrovue.doctor.checks import run_all
from retrovue.errors import RetrovueError
from retrovue.library.review import AssetFilter, list_assets, show_asset
from retrovue.web import reads
from retrovue.web.api import half_hour_floor, parse_day, parse_instant, status_of
from retrovue.web.context import hdhr_state, web_context
from retrovue.web.grid import day_starts, layout
from retrovue.web.operator import current_session

STATIC = Path(__file__).parent / "static"
GUIDE_SPAN = timedelta(hours=12)
GUIDE_DAYS = 14
REVIEW_STATES = ("pending", "failed", "rejected", "approved")
# no framing (the review buttons cannot be clickjacked), no script, forms post only here
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: http: https:; media-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
}
REVIEW_PAGE = 100  # assets shown per review page (the API pages through all of them)
Handler = Callable[[web.Request], Awaitable[web.Response]]


def render(
    request: web.Request, template: str, data: dict[str, Any], status: int = 200
) -> web.Response:
    session = current_session(request)
    device = hdhr_state(request).device
    base = {
        "station": device.friendly_name,
        "signed_in": session is not None,
        "csrf": session.csrf if session else "",
        "path": request.path_qs,
    }
    response = aiohttp_jinja2.render_template(template, request, {**base, **data}, status=status)
    response.headers.update(PAGE_HEADERS)
    return response


def page(handler: Handler) -> Handler:
    """A page handler whose refusals render as an error page with the right status."""

    async def handle(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except RetrovueError as err:
            return render(request, "error.html", {"message": err.message}, status_of(err))

    return handle


async def on_now_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    at = ctx.clock.now_utc()
    rows = await asyncio.to_thread(reads.on_now, ctx.database, at)
    viewers = ctx.view.viewers()
    channels = [
        {
            "channel": row.channel,
            "now": row.now,
            "next": row.next,
            "progress": row.progress(at),
            "viewers": viewers.get(row.channel.number, 0),
            "zone": row.channel.timezone,
        }
        for row in rows
    ]
    tuners = [asdict(t) for t in ctx.view.tuners(hdhr_state(request))]
    stamp = int(ctx.clock.monotonic_s() // 15)  # a fresh thumbnail URL every 15 s
    return render(
        request,
        "on_now.html",
        {"channels": channels, "tuners": tuners, "stamp": stamp, "local": reads.local_time},
    )


async def guide_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    now = ctx.clock.now_utc()
    start = parse_instant("start", request.query.get("start"))
    start = half_hour_floor(start or now - timedelta(minutes=30))
    end = start + GUIDE_SPAN
    chosen, entries = await asyncio.to_thread(reads.guide, ctx.database, start, end)
    zone = chosen[0].timezone if chosen else "UTC"
    grid = layout(chosen, entries, start, end, now, zone)
    days = day_starts(now, zone, GUIDE_DAYS)
    return render(
        request,
        "guide.html",
        {
            "grid": grid,
            "days": [(d, d.astimezone(reads.zone_of(zone)).strftime("%a %d %b")) for d in days],
            "earlier": (start - GUIDE_SPAN).isoformat(),
            "later": end.isoformat() if end < days[-1] + timedelta(days=1) else None,
            "now_link": start <= now < end,
        },
    )


async def watch_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    channel = await asyncio.to_thread(
        reads.find_channel, ctx.database, request.match_info["number"]
    )
    item = await asyncio.to_thread(
        reads.on_air_item, ctx.database, channel.number, ctx.clock.now_utc()
    )
    return render(
        request, "watch.html", {"channel": channel, "now": item, "local": reads.local_time}
    )


async def review_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    state = request.query.get("state") or "pending"
    if state not in REVIEW_STATES:
        state = "pending"
    rows = await asyncio.to_thread(list_assets, ctx.database, AssetFilter(state=state))
    shown = rows[:REVIEW_PAGE]
    details = await asyncio.to_thread(lambda: [show_asset(ctx.database, r["id"]) for r in shown])
    return render(
        request,
        "review.html",
        {
            "assets": details,
            "state": state,
            "states": REVIEW_STATES,
            "total": len(rows),
            "done": request.query.get("done", ""),
        },
    )


async def as_run_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    channels = await asyncio.to_thread(reads.channels, ctx.database)
    number = request.query.get("channel") or (channels[0].number if channels else None)
    day = None
    error = ""
    if number is not None:
        try:
            day = await asyncio.to_thread(
                ctx.view.as_run, number, parse_day(request.query.get("date"))
            )
        except RetrovueError as err:
            error = err.message
    return render(
        request,
        "as_run.html",
        {
            "channels": channels,
            "number": number,
            "day": day,
            "error": error,
            "zone": reads.zone_of(day.channel.timezone if day else "UTC"),
        },
    )


async def health_page(request: web.Request) -> web.Response:
    ctx = web_context(request)
    checks = await asyncio.to_thread(run_all, ctx.settings, ctx.clock, lambda: ctx.database)
    return render(request, "health.html", {"checks": checks, "ok": all(c.ok for c in checks)})


async def login_page(request: web.Request) -> web.Response:
    return render(
        request, "login.html", {"next": local_next(request.query.get("next")), "error": ""}
    )


def local_next(raw: str | None) -> str:
    """Only a path on this station (never another site) may follow a sign-in."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/review"


def setup_pages(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("retrovue.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_get("/", page(on_now_page))
    app.router.add_get("/guide", page(guide_page))
    app.router.add_get("/watch/{number}", page(watch_page))
    app.router.add_get("/review", page(review_page))
    app.router.add_get("/as-run", page(as_run_page))
    app.router.add_get("/health", page(health_page))
    app.router.add_get("/login", page(login_page))
    app.router.add_static("/web/static", STATIC)
