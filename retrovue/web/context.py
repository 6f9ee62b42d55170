"""What every web handler reaches: the station's parts, handed over by the composition root."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aiohttp import web

from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.guide.service import GuideService
from retrovue.hdhr.state import HDHR_STATE, HdhrState
from retrovue.web.auth import OperatorAuth
from retrovue.web.station_view import StationView
from retrovue.web.thumbs import ThumbnailCache


@dataclass
class WebContext:
    database: Database
    clock: Clock
    settings: Settings
    guide: GuideService
    view: StationView
    auth: OperatorAuth
    thumbnails: ThumbnailCache = field(init=False)
    browser_viewers: int = field(default=0, init=False)  # open /watch streams

    def __post_init__(self) -> None:
        self.thumbnails = ThumbnailCache(self.clock)


WEB_CONTEXT: web.AppKey[WebContext] = web.AppKey("web_context", WebContext)


def web_context(request: web.Request) -> WebContext:
    return request.app[WEB_CONTEXT]


def hdhr_state(request: web.Request) -> HdhrState:
    return request.app[HDHR_STATE]


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def json_response(data: Any, *, status: int = 200) -> web.Response:
    body = json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":"))
    return web.Response(text=body, status=status, content_type="application/json", charset="utf-8")


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    response = json_response({"error": message}, status=status)
    if headers:
        response.headers.update(headers)
    return response
