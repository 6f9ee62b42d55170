"""The pages' form posts: sign in and out, and the review page's decisions.

A decision needs the operator's session and its CSRF token (a hidden field); without them the
answer is 401 or 403 and nothing changes. A decision that the service refuses shows its reason.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from retrovue.errors import RetrovueError
from retrovue.web.api import asset_id, status_of
from retrovue.web.context import web_context
from retrovue.web.operator import (
    CSRF_FIELD,
    SESSION_COOKIE,
    Refused,
    current_session,
    require_operator,
)
from retrovue.web.pages import local_next, render
from retrovue.web.writes import apply_action, form_data

ACTIONS = ("approve", "reject", "promote")


async def sign_in(request: web.Request) -> web.Response:
    ctx = web_context(request)
    form = await request.post()
    target = local_next(str(form.get("next") or ""))
    session = await asyncio.to_thread(ctx.auth.sign_in, str(form.get("password") or ""))
    if session is None:
        error = "wrong password" if ctx.auth.configured() else "no operator password is set"
        return render(request, "login.html", {"next": target, "error": error}, status=401)
    response = web.HTTPSeeOther(target)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="Strict", path="/")
    raise response


async def sign_out(request: web.Request) -> web.Response:
    ctx = web_context(request)
    form = await request.post()
    session = current_session(request)
    if session is not None and ctx.auth.csrf_ok(session, str(form.get(CSRF_FIELD) or "")):
        ctx.auth.sign_out(session.token)
    response = web.HTTPSeeOther("/")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def decide(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound()
    form = await request.post()
    try:
        await require_operator(request, form_csrf=str(form.get(CSRF_FIELD) or ""))
    except Refused as err:
        return render(request, "error.html", {"message": err.message}, status=err.status)
    number = asset_id(request)
    try:
        await apply_action(web_context(request), action, [number], form_data(form))
    except RetrovueError as err:
        return render(request, "error.html", {"message": err.message}, status=status_of(err))
    state = str(form.get("state") or "pending")
    done = f"{action}d {number}" if action != "reject" else f"rejected {number}"
    raise web.HTTPSeeOther("/review?" + urlencode({"state": state, "done": done}))


def add_form_routes(app: web.Application) -> None:
    app.router.add_post("/login", sign_in)
    app.router.add_post("/logout", sign_out)
    app.router.add_post("/review/{asset_id}/{action}", decide)
