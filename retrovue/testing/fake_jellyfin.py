"""A fake Jellyfin or Emby server: a small aiohttp application on 127.0.0.1 speaking their REST API.

The endpoints RetroVue's importer uses, as the servers' OpenAPI descriptions define them:

* ``GET /System/Info/Public`` (no key) and ``GET /System/Info``: server name, version, id;
* ``POST /Users/AuthenticateByName`` (``{"Username", "Pw"}``): an ``AccessToken`` and the user;
* ``GET /Users``: the users (an administrator's key sees them all);
* ``GET /Library/VirtualFolders``: libraries with ``Name``, ``CollectionType``, ``ItemId``,
  ``Locations``;
* ``GET /Items`` and ``GET /Users/{userId}/Items``: ``ParentId``, ``Recursive``,
  ``IncludeItemTypes``, paged by ``StartIndex``/``Limit``; the answer is
  ``{"Items": [...], "TotalRecordCount": N, "StartIndex": S}``;
* ``GET /Items/{id}`` and ``GET /Users/{userId}/Items/{id}``: one item;
* ``GET /Videos/{id}/AdditionalParts``: the further files of a stacked (multi-part) movie.

Query names match without case (Jellyfin writes ``startIndex``, Emby ``StartIndex``). The key is
checked as each product expects it: ``flavor="jellyfin"`` takes ``Authorization: MediaBrowser ...,
Token="KEY"``; ``flavor="emby"`` takes ``X-Emby-Token: KEY`` (or ``api_key=KEY``); anything else
is 401. Misbehaviour for tests: ``hang`` / ``hang_after`` (no answer until the server stops),
``garbage`` (HTML instead of JSON), ``endless`` (every page is full and the total keeps growing).
``requests`` records ``(method, path?query)`` of everything served.

Run one by hand: ``python -m retrovue.testing.fake_jellyfin --port 8096 --key secret``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from retrovue.testing.fake_jellyfin_data import Json, guid, sample_library

_TOKEN = re.compile(r'Token="([^"]*)"')
PUBLIC = ("/System/Info/Public", "/Users/AuthenticateByName")


class FakeJellyfin:
    """The application and its state (library, keys, misbehaviour switches, request log)."""

    def __init__(
        self,
        library: Json | None = None,
        *,
        key: str = "fake-jellyfin-key",
        flavor: str = "jellyfin",
    ) -> None:
        self.library = copy.deepcopy(library) if library is not None else sample_library()
        self.keys = {key}
        self.flavor = flavor
        self.hang = False
        self.hang_after: int | None = None
        self.garbage = False
        self.endless = False
        self.requests: list[tuple[str, str]] = []
        self._release: asyncio.Event | None = None
        self._lock = threading.Lock()
        self._index: dict[str, tuple[Json, Json]] | None = None  # id -> (library, item)

    # ---- library changes between syncs -----------------------------------------------------------
    def remove(self, item_id: str) -> None:
        with self._lock:
            for library in self.library["libraries"]:
                library["items"] = [i for i in library["items"] if i["Id"] != item_id]
            self._index = None

    def update(self, item_id: str, **fields: Any) -> None:
        with self._lock:
            item = self._items()[item_id][1]
            item.update(fields)
            item["Etag"] = guid(f"{item.get('Etag')}+")[:16]

    def add(self, library_name: str, item: Json) -> None:
        with self._lock:
            next(lib for lib in self.library["libraries"] if lib["Name"] == library_name)[
                "items"
            ].append(item)
            self._index = None

    # ---- the application -------------------------------------------------------------------------
    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        app.router.add_get("/System/Info/Public", self._info)
        app.router.add_get("/System/Info", self._info)
        app.router.add_post("/Users/AuthenticateByName", self._authenticate)
        app.router.add_get("/Users", self._users)
        app.router.add_get("/Library/VirtualFolders", self._folders)
        app.router.add_get("/Items", self._list)
        app.router.add_get("/Users/{user}/Items", self._list)
        app.router.add_get("/Items/{id}", self._one)
        app.router.add_get("/Users/{user}/Items/{id}", self._one)
        app.router.add_get("/Videos/{id}/AdditionalParts", self._parts)
        return app

    async def _on_startup(self, _app: web.Application) -> None:
        self._release = asyncio.Event()

    async def _on_shutdown(self, _app: web.Application) -> None:
        self.release()

    def release(self) -> None:
        if self._release is not None:
            self._release.set()

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs))
        late = self.hang_after is not None and len(self.requests) > self.hang_after
        if (self.hang or late) and self._release is not None:
            await self._release.wait()
        if self.garbage:
            return web.Response(
                text="<html><body>Bad Gateway</body></html>", content_type="text/html"
            )
        if request.path not in PUBLIC and self._token(request) not in self.keys:
            return web.Response(status=401, text="Unauthorized")
        response: web.StreamResponse = await handler(request)
        return response

    def _token(self, request: web.Request) -> str | None:
        if self.flavor == "emby":
            return request.headers.get("X-Emby-Token") or _query(request).get("api_key")
        found = _TOKEN.search(request.headers.get("Authorization", ""))
        return (
            found.group(1)
            if found and request.headers["Authorization"].startswith("MediaBrowser ")
            else None
        )

    # ---- handlers --------------------------------------------------------------------------------
    async def _info(self, _request: web.Request) -> web.Response:
        product = "Jellyfin Server" if self.flavor == "jellyfin" else "Emby Server"
        return web.json_response({**self.library["server"], "ProductName": product})

    async def _authenticate(self, request: web.Request) -> web.Response:
        body = await request.json()
        for user in self.library["users"]:
            if user["Name"].lower() == str(body.get("Username", "")).lower() and user[
                "Password"
            ] == body.get("Pw"):
                token = guid(f"token:{user['Id']}:{len(self.keys)}")
                self.keys.add(token)
                public = {k: v for k, v in user.items() if k != "Password"}
                return web.json_response({"User": public, "AccessToken": token})
        return web.Response(status=401, text="Error processing request.")

    async def _users(self, _request: web.Request) -> web.Response:
        users = [{k: v for k, v in u.items() if k != "Password"} for u in self.library["users"]]
        return web.json_response(users)

    async def _folders(self, _request: web.Request) -> web.Response:
        return web.json_response(
            [{k: v for k, v in lib.items() if k not in ("items", "parts")}
             for lib in self.library["libraries"]]
        )  # fmt: skip

    async def _list(self, request: web.Request) -> web.Response:
        query = _query(request)
        parent = query.get("parentid")
        types = {t.lower() for t in query.get("includeitemtypes", "").split(",") if t}
        with self._lock:
            items = [
                item
                for library in self.library["libraries"]
                if parent in (None, library["ItemId"])
                for item in library["items"]
                if not types or item["Type"].lower() in types
            ]
        start = int(query.get("startindex", "0") or 0)
        limit = int(query["limit"]) if query.get("limit", "").isdigit() else len(items)
        if self.endless:
            page = [_renamed(items[0], start + n) for n in range(limit)] if items else []
            return web.json_response(
                {"Items": page, "TotalRecordCount": start + 2 * limit, "StartIndex": start}
            )
        return web.json_response(
            {"Items": items[start : start + limit], "TotalRecordCount": len(items),
             "StartIndex": start}
        )  # fmt: skip

    async def _one(self, request: web.Request) -> web.Response:
        found = self._items().get(request.match_info["id"])
        if found is None:
            raise web.HTTPNotFound()
        return web.json_response(found[1])

    async def _parts(self, request: web.Request) -> web.Response:
        item_id = request.match_info["id"]
        found = self._items().get(item_id)
        if found is None:
            raise web.HTTPNotFound()
        parts = found[0].get("parts", {}).get(item_id, [])
        return web.json_response({"Items": parts, "TotalRecordCount": len(parts), "StartIndex": 0})

    def _items(self) -> dict[str, tuple[Json, Json]]:
        """The index of every item (built once; changes through the methods above reset it)."""
        if self._index is None:
            self._index = {
                item["Id"]: (library, item)
                for library in self.library["libraries"]
                for item in library["items"]
            }
        return self._index


def _query(request: web.Request) -> dict[str, str]:
    return {key.lower(): value for key, value in request.query.items()}


def _renamed(item: Json, number: int) -> Json:
    return {**item, "Id": guid(f"endless:{number}"), "Name": f"Endless {number}"}


class BackgroundServer:
    """Runs an aiohttp application factory on 127.0.0.1 in a background thread."""

    def __init__(self, app: FakeJellyfin) -> None:
        self.app = app
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BackgroundServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="fake-jellyfin", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Jellyfin server did not start")
        return self

    def _serve(self, sock: socket.socket) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self.app.application(), handle_signals=False, shutdown_timeout=2)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(self.app.release)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextmanager
def running_fake_jellyfin(
    library: Json | None = None, *, key: str = "fake-jellyfin-key", flavor: str = "jellyfin"
) -> Iterator[BackgroundServer]:
    with BackgroundServer(FakeJellyfin(library, key=key, flavor=flavor)) as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fake Jellyfin/Emby server.")
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--key", default="fake-jellyfin-key")
    parser.add_argument("--flavor", choices=("jellyfin", "emby"), default="jellyfin")
    args = parser.parse_args(argv)
    app = FakeJellyfin(key=args.key, flavor=args.flavor).application()
    web.run_app(app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
