"""Registers the web side on the station's HTTP application (called by the composition root).

Paths: pages at ``/``, ``/guide``, ``/watch/<n>``, ``/review``, ``/as-run``, ``/health``,
``/login``; the API under ``/api/v1/``; static files under ``/web/static/``. None of them is an
HDHomeRun path (``/discover.json``, ``/lineup.*``, ``/auto/v*``, ``/tuner*``, ``/status.json``,
``/xmltv.xml``, ...).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from retrovue.hdhr.device import Device
from retrovue.web.api import add_api_routes
from retrovue.web.context import WEB_CONTEXT, WebContext
from retrovue.web.forms import add_form_routes
from retrovue.web.pages import setup_pages
from retrovue.web.watch import add_watch_routes
from retrovue.web.writes import add_write_routes


def web_registrar(context: WebContext) -> Callable[[web.Application, Device], None]:
    def register(app: web.Application, _device: Device) -> None:
        app[WEB_CONTEXT] = context
        add_api_routes(app)
        add_write_routes(app)
        setup_pages(app)
        add_form_routes(app)
        add_watch_routes(app)

    return register
