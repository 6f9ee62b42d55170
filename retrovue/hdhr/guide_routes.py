"""HTTP routes of the guide: XMLTV, M3U and local channel logos. Read-only.

Every document carries ``ETag`` and ``Last-Modified``; ``If-None-Match`` (or, without it,
``If-Modified-Since``) answers ``304``; bodies are gzip-compressed when the client accepts it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web

from retrovue.guide.service import LOGO_ROUTE, GuideService, Rendered

BaseUrl = str | Callable[[web.Request], str] | None
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

XMLTV_PATHS = ("/xmltv.xml", "/guide.xml")
M3U_PATHS = ("/lineup.m3u", "/channels.m3u")


def add_guide_routes(
    app: web.Application,
    guide: GuideService,
    base_url: BaseUrl = None,
    *,
    stream_base_url: BaseUrl = None,
) -> None:
    """Register the guide routes.

    ``base_url`` is the advertised ``http://ip:port`` of the API (a string, or a function of the
    request); without it the request's own scheme and host are used. ``stream_base_url`` is the
    HDHomeRun stream base the M3U points at (default: ``base_url``).
    """

    def resolve(request: web.Request, chosen: BaseUrl = base_url) -> str:
        if chosen is None:
            return f"{request.scheme}://{request.host}"
        return chosen(request) if callable(chosen) else chosen

    async def m3u(request: web.Request) -> web.StreamResponse:
        base = resolve(request)
        streams = resolve(request, stream_base_url) if stream_base_url is not None else base
        rendered = await asyncio.to_thread(guide.m3u, base, streams)
        return await _respond(request, guide, rendered)

    def document(render: Callable[[str], Rendered]) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            rendered = await asyncio.to_thread(render, resolve(request))
            return await _respond(request, guide, rendered)

        return handle

    async def logo(request: web.Request) -> web.StreamResponse:
        path = await asyncio.to_thread(guide.logo_file, request.match_info["number"])
        if path is None:
            raise web.HTTPNotFound(text="no logo for this channel\n")
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})

    for path in XMLTV_PATHS:
        app.router.add_get(path, document(guide.xmltv))
    for path in M3U_PATHS:
        app.router.add_get(path, m3u)
    app.router.add_get(LOGO_ROUTE + "/{number}", logo)


async def _respond(
    request: web.Request, guide: GuideService, rendered: Rendered
) -> web.StreamResponse:
    use_gzip = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    etag = gzip_etag(rendered.etag) if use_gzip else rendered.etag
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(rendered.last_modified_utc, usegmt=True),
        "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding",
    }
    if not_modified(request, rendered):
        return web.Response(status=304, headers=headers)
    body = rendered.body
    if use_gzip:
        body = await asyncio.to_thread(guide.gzipped, rendered)
        headers["Content-Encoding"] = "gzip"
    headers["Content-Type"] = rendered.content_type
    return web.Response(body=body, headers=headers)


def gzip_etag(etag: str) -> str:
    """The gzip representation's own strong ETag."""
    return etag[:-1] + '-gz"'


def not_modified(request: web.Request, rendered: Rendered) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {tag.strip().removeprefix("W/") for tag in inm.split(",")}
        return "*" in tags or rendered.etag in tags or gzip_etag(rendered.etag) in tags
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return rendered.last_modified_utc <= since
    return False


def accepts_gzip(accept_encoding: str) -> bool:
    """True when ``gzip`` (or ``*``) is listed without ``q=0``."""
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower().replace(" ", "")
        if quality.startswith("q="):
            try:
                if float(quality[2:]) <= 0:
                    continue
            except ValueError:
                continue
        return True
    return False
