"""The operator's writes: review decisions and promotion, through the CLI's own services.

Every write needs the operator: an API client sends ``Authorization: Bearer <password>``; a
browser signs in at ``/login`` (a session cookie) and each form post carries the session's CSRF
token. No credentials, or a wrong password: 401. A session without the right CSRF token: 403.
Either way nothing is changed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from retrovue.broadcast.promotion import promote
from retrovue.errors import ValidationError
from retrovue.library.review import approve_assets, reject_assets
from retrovue.web.api import API, asset_id
from retrovue.web.context import WebContext, error_response, json_response, web_context
from retrovue.web.operator import Refused, require_operator


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError as err:
        raise ValidationError("the request body is not JSON") from err
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object")
    return data


async def apply_action(
    ctx: WebContext, action: str, ids: list[int], data: dict[str, Any]
) -> dict[str, Any]:
    """One review or promotion action, through the services the CLI uses."""
    if action == "approve":
        done = await asyncio.to_thread(approve_assets, ctx.database, ctx.clock, ids)
        return {"approved": done}
    if action == "reject":
        reason = data.get("reason")
        if not isinstance(reason, str):
            raise ValidationError("reason: say why the asset is rejected")
        done = await asyncio.to_thread(reject_assets, ctx.database, ctx.clock, ids, reason)
        return {"rejected": done}
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationError("tags: a list of strings")
    result = await asyncio.to_thread(
        lambda: promote(ctx.database, ctx.clock, asset_ids=ids, tags=tags)
    )
    ctx.guide.invalidate()
    return result.to_json()


def _api_action(action: str) -> Any:
    async def handle(request: web.Request) -> web.Response:
        try:
            await require_operator(request)
        except Refused as err:
            headers = {"WWW-Authenticate": 'Bearer realm="retrovue"'} if err.status == 401 else None
            return error_response(err.status, err.message, headers)
        data = await _json_body(request)
        result = await apply_action(web_context(request), action, [asset_id(request)], data)
        return json_response(result)

    return handle


def form_data(form: MultiDictProxy[str | bytes | Any]) -> dict[str, Any]:
    reason = form.get("reason")
    tags = [str(t).strip() for t in form.getall("tag", []) if str(t).strip()]
    return {"reason": str(reason) if reason is not None else None, "tags": tags}


def add_write_routes(app: web.Application) -> None:
    for action in ("approve", "reject", "promote"):
        app.router.add_post(f"{API}/assets/{{asset_id}}/{action}", _api_action(action))
