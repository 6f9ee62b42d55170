"""Who is asking: the operator (a bearer password, or a signed-in browser with its CSRF token),
or anyone. Refusals are 401 (who are you?) and 403 (a session without its CSRF token)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from retrovue.web.auth import WebSession
from retrovue.web.context import web_context

SESSION_COOKIE = "retrovue_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def current_session(request: web.Request) -> WebSession | None:
    return web_context(request).auth.session(request.cookies.get(SESSION_COOKIE))


async def require_operator(request: web.Request, form_csrf: str | None = None) -> None:
    """Return when the request is the operator's; raise :class:`Refused` (401/403) otherwise."""
    ctx = web_context(request)
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Refused(401, "use Authorization: Bearer <operator password>")
        if not await asyncio.to_thread(ctx.auth.check_password, secret.strip()):
            raise Refused(401, "wrong operator password")
        return
    session = current_session(request)
    if session is None:
        raise Refused(401, "sign in as the operator first")
    offered = form_csrf if form_csrf is not None else request.headers.get(CSRF_HEADER)
    if not ctx.auth.csrf_ok(session, offered):
        raise Refused(403, "missing or wrong CSRF token")
