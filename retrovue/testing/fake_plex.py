"""A fake Plex Media Server: a small aiohttp application on 127.0.0.1 that real plexapi talks to.

It serves the endpoints plexapi requests for RetroVue's import (found by reading plexapi and by
logging what it asks for): the server root ``/``, ``/identity``, ``/library``,
``/library/sections``, section contents ``/library/sections/N/all?type=T`` (``title`` and
``limit`` filters, ``X-Plex-Container-Start/Size`` paging), ``/library/metadata/K[,K...]``
(details: streams, and chapters/markers when ``includeChapters=1``/``includeMarkers=1``), and the
children of shows and seasons (``/children``, ``/allLeaves``). It is driven by fixture data
(``plex_fixtures/``) that a test may change between syncs (:meth:`FakePlex.remove`,
:meth:`FakePlex.update`).

Every request but ``/identity`` needs the token (header or query ``X-Plex-Token``), else 401 like a
real server. ``hang = True`` makes every request wait until the server stops (timeout tests);
``hang_after = N`` does so from the (N+1)th request on (a server that fails half-way).
``requests`` records ``(method, path?query)`` of everything served.

Run one by hand: ``python -m retrovue.testing.fake_plex --port 32400 --token secret``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from retrovue.testing import fake_plex_xml as px
from retrovue.testing.fake_plex_media import Json, xml_element

UNAUTHORIZED_BODY = (
    "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
)
XML = "text/xml;charset=utf-8"


class FakePlex:
    """The application and its mutable state (fixture, token, hang switch, request log)."""

    def __init__(self, fixture: Json | None = None, *, token: str = "fake-plex-token") -> None:
        self.fixture = copy.deepcopy(fixture) if fixture is not None else px.load_fixture()
        self.token = token
        self.hang = False
        self.hang_after: int | None = None  # hang from this many requests on (mid-sync failure)
        self.requests: list[tuple[str, str]] = []
        self._release: asyncio.Event | None = None
        self._lock = threading.Lock()

    # ---- fixture changes between syncs -------------------------------------------------------
    def remove(self, rating_key: int) -> None:
        """Delete an item (movie, show, season or episode) as if removed from the server."""
        with self._lock:
            for section in self.fixture["sections"]:
                _remove_from(section, rating_key)

    def update(self, rating_key: int, **fields: Any) -> None:
        with self._lock:
            node = px.index_items(self.fixture)[rating_key]
            node.data.update(fields)
            node.data["updatedAt"] = int(node.data.get("updatedAt", 1700000000)) + 1

    # ---- the application -------------------------------------------------------------------------
    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        routes = [
            ("/", self._root),
            ("/identity", self._identity),
            ("/library", self._library),
            ("/library/", self._library),
            ("/library/sections", self._sections),
            ("/library/sections/", self._sections),
            ("/library/sections/{section}/all", self._section_all),
            ("/library/metadata/{keys}", self._metadata),
            ("/library/metadata/{key}/children", self._children),
            ("/library/metadata/{key}/allLeaves", self._all_leaves),
        ]
        for path, handler in routes:
            app.router.add_get(path, handler)
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
        if request.path != "/identity" and not self._authorised(request):
            return web.Response(status=401, text=UNAUTHORIZED_BODY, content_type="text/html")
        response: web.StreamResponse = await handler(request)
        return response

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get("X-Plex-Token") or request.query.get("X-Plex-Token")
        return given == self.token

    # ---- handlers --------------------------------------------------------------------------------
    async def _root(self, _request: web.Request) -> web.Response:
        return _xml(px.server_root(self.fixture["server"], self.fixture["sections"]))

    async def _identity(self, _request: web.Request) -> web.Response:
        server = self.fixture["server"]
        root = px.container(
            [], claimed=1, machineIdentifier=server["machineIdentifier"], version=server["version"]
        )
        return _xml(root)

    async def _library(self, _request: web.Request) -> web.Response:
        return _xml(px.library_root())

    async def _sections(self, _request: web.Request) -> web.Response:
        return _xml(px.sections_root(self.fixture["sections"]))

    async def _section_all(self, request: web.Request) -> web.Response:
        section = self._section(request.match_info["section"])
        wanted = request.query.get("type")
        default_type = px.TYPE_NUMBERS.get(section["type"], 0)
        type_number = int(wanted) if wanted and wanted.isdigit() else default_type
        nodes = [
            n
            for n in px.index_items(self.fixture).values()
            if n.section is section and px.TYPE_NUMBERS.get(n.kind) == type_number
        ]
        title = request.query.get("title", "").lower()
        nodes = [n for n in nodes if title in str(n.data.get("title", "")).lower()]
        nodes.sort(key=_sort_key)
        limit = request.query.get("limit", "")
        if limit.isdigit():
            nodes = nodes[: int(limit)]
        return _paged(
            request, nodes, _listed, librarySectionID=section["key"], title1=section["title"]
        )

    async def _metadata(self, request: web.Request) -> web.Response:
        keys = _int_keys(request.match_info["keys"])
        index = px.index_items(self.fixture)
        nodes = [index[k] for k in keys if k in index]
        if not nodes:
            raise web.HTTPNotFound()
        chapters = request.query.get("includeChapters") == "1"
        markers = request.query.get("includeMarkers") == "1"
        elements = [
            px.item_element(n, details=True, chapters=chapters, markers=markers) for n in nodes
        ]
        return _xml(px.container(elements, **_section_of(nodes[0])))

    async def _children(self, request: web.Request) -> web.Response:
        node = self._node(request.match_info["key"])
        index = px.index_items(self.fixture).values()
        children: list[px.Node | str] = []
        if node.kind == "show":
            seasons = [n for n in index if n.kind == "season" and n.show is node.data]
            seasons.sort(key=_sort_key)
            if request.query.get("excludeAllLeaves") != "1":
                children.append(f"/library/metadata/{node.data['ratingKey']}/allLeaves")
            children += seasons
        elif node.kind == "season":
            episodes = [n for n in index if n.kind == "episode" and n.season is node.data]
            episodes.sort(key=_sort_key)
            children += episodes
        else:
            raise web.HTTPNotFound()
        return _paged(request, children, _listed, key=node.data["ratingKey"], **_section_of(node))

    async def _all_leaves(self, request: web.Request) -> web.Response:
        node = self._node(request.match_info["key"])
        if node.kind != "show":
            raise web.HTTPNotFound()
        episodes = [
            n
            for n in px.index_items(self.fixture).values()
            if n.kind == "episode" and n.show is node.data
        ]
        episodes.sort(key=_sort_key)
        return _paged(request, episodes, _listed, key=node.data["ratingKey"], **_section_of(node))

    def _section(self, key: str) -> Json:
        for section in self.fixture["sections"]:
            if str(section["key"]) == key:
                found: Json = section
                return found
        raise web.HTTPNotFound()

    def _node(self, key: str) -> px.Node:
        keys = _int_keys(key)
        index = px.index_items(self.fixture)
        if len(keys) != 1 or keys[0] not in index:
            raise web.HTTPNotFound()
        return index[keys[0]]


def _remove_from(section: Json, rating_key: int) -> None:
    def keep(item: Json) -> bool:
        return int(item["ratingKey"]) != rating_key

    section["items"] = [i for i in section.get("items", []) if keep(i)]
    for show in section["items"]:
        if "seasons" not in show:
            continue
        show["seasons"] = [s for s in show["seasons"] if keep(s)]
        for season in show["seasons"]:
            season["episodes"] = [e for e in season.get("episodes", []) if keep(e)]


def _sort_key(node: px.Node) -> tuple[int, int, str]:
    season = int((node.season or {}).get("index", 0))
    index = int(node.data.get("index", 0))
    return (season, index, str(node.data.get("title", "")))


def _int_keys(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part]
    except ValueError:
        raise web.HTTPNotFound() from None


def _section_of(node: px.Node) -> dict[str, object]:
    section = node.section
    return {
        "librarySectionID": section["key"],
        "librarySectionTitle": section["title"],
        "librarySectionUUID": section["uuid"],
    }


def _xml(root: Any) -> web.Response:
    return web.Response(body=px.to_bytes(root), headers={"Content-Type": XML})


def _listed(item: Any) -> Any:
    """A listing element: an item without details, or the "All episodes" directory (a key)."""
    if isinstance(item, str):
        return xml_element("Directory", key=item, title="All episodes")
    return px.item_element(item, details=False, chapters=False, markers=False)


def _paged(
    request: web.Request, items: list[Any], render: Callable[[Any], Any], **attrs: object
) -> web.Response:
    """One page (``X-Plex-Container-Start/Size``) of ``items``; only that page is rendered."""
    start_text = request.headers.get(
        "X-Plex-Container-Start", request.query.get("X-Plex-Container-Start", "0")
    )
    size_text = request.headers.get(
        "X-Plex-Container-Size", request.query.get("X-Plex-Container-Size")
    )
    start = int(start_text) if start_text.isdigit() else 0
    end = start + int(size_text) if size_text and size_text.isdigit() else len(items)
    page = [render(item) for item in items[start:end]]
    root = px.container(page, totalSize=len(items), offset=start, **attrs)
    return _xml(root)


class FakePlexServer:
    """Runs a :class:`FakePlex` on 127.0.0.1 in a background thread (plexapi is synchronous)."""

    def __init__(self, plex: FakePlex | None = None) -> None:
        self.plex = plex or FakePlex()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakePlexServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="fake-plex", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Plex server did not start")
        return self

    def _serve(self, sock: socket.socket) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self.plex.application(), handle_signals=False, shutdown_timeout=2)
        self._runner = runner
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
        loop.call_soon_threadsafe(self.plex.release)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> FakePlexServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextmanager
def running_fake_plex(
    fixture: Json | None = None, *, token: str = "fake-plex-token"
) -> Iterator[FakePlexServer]:
    server = FakePlexServer(FakePlex(fixture, token=token))
    with server:
        yield server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fake Plex Media Server.")
    parser.add_argument("--port", type=int, default=32400)
    parser.add_argument("--token", default="fake-plex-token")
    args = parser.parse_args(argv)
    web.run_app(FakePlex(token=args.token).application(), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
