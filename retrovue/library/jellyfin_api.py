"""The REST client for Jellyfin and Emby: the only module that talks to those servers (httpx).

Both servers share one API (Emby's, which Jellyfin forked): ``/System/Info``,
``/Users/AuthenticateByName``, ``/Library/VirtualFolders``, ``/Items`` paged by
``StartIndex``/``Limit``. They differ in how the key travels: Jellyfin takes
``Authorization: MediaBrowser Client=..., Token="KEY"``, Emby ``X-Emby-Token: KEY``.

httpx, not plexapi-style object wrappers or ``jellyfin-apiclient-python``: the import needs five
endpoints, a synchronous client fits the importer protocol (the sync runs in a worker thread),
httpx has typed, separate connect/read timeouts and keep-alive pooling, and its errors tell
timeout from connection failure.

Every failure is a :class:`SourceError` with one line naming the server by its address (never the
key): 401/403, timeout, unreachable, an answer that is not the JSON expected, a listing that never
ends. The key is registered with :class:`retrovue.logs.SecretRegistry`, so no log record shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from retrovue import __version__
from retrovue.errors import SourceError, ValidationError
from retrovue.library.plex import clean_url, display_url
from retrovue.logs import SecretRegistry

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 15.0
PAGE_SIZE = 500
MAX_ITEMS = 1_000_000  # a listing longer than this is a server that never stops
KINDS = ("jellyfin", "emby")
PRODUCT = {"jellyfin": "Jellyfin", "emby": "Emby"}
Json = dict[str, Any]


@dataclass(frozen=True)
class ServerSettings:
    kind: str  # jellyfin | emby
    url: str
    token: str
    user_id: str | None = None
    libraries: tuple[str, ...] = ()
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def where(self) -> str:
        return f"{PRODUCT[self.kind]} server {display_url(self.url)}"

    @classmethod
    def from_source(cls, kind: str, settings: Any) -> ServerSettings:
        url, token = str(settings.get("url") or ""), str(settings.get("token") or "")
        if not url or not token:
            raise SourceError(f"{kind} source has no url or key (remove it and add it again)")
        return cls(
            kind=kind,
            url=url,
            token=token,
            user_id=settings.get("user_id") or None,
            libraries=tuple(str(t) for t in settings.get("libraries") or ()),
            timeout_s=float(settings.get("timeout_s") or DEFAULT_TIMEOUT_S),
        )


def auth_headers(kind: str, token: str | None) -> dict[str, str]:
    """The headers each product expects (without a token: for the log-in request)."""
    client = f'Client="RetroVue", Device="RetroVue", DeviceId="retrovue", Version="{__version__}"'
    if kind == "emby":
        headers = {"X-Emby-Authorization": f"Emby {client}"}
        if token:
            headers["X-Emby-Token"] = token
        return headers
    return {"Authorization": f"MediaBrowser {client}" + (f', Token="{token}"' if token else "")}


class ServerClient:
    """One connection pool to the server; use as a context manager."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        SecretRegistry.add(settings.token)
        self._http = httpx.Client(
            base_url=clean_url(settings.url),
            headers={"Accept": "application/json", **auth_headers(settings.kind, settings.token)},
            timeout=settings.timeout_s,
            follow_redirects=False,
        )

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def get(self, path: str, **params: Any) -> Any:
        with server_errors(self.settings):
            response = self._http.get(path, params=params)
            return _json(response, self.settings)

    def items_path(self) -> str:
        uid = self.settings.user_id
        return f"/Users/{uid}/Items" if uid else "/Items"

    def pages(self, path: str, **params: Any) -> Iterator[list[Json]]:
        """Every page of a listing, one request per :data:`PAGE_SIZE` items.

        Stops at the total the first page announced, or at an empty or short page; refuses a
        server that sends the same page twice or keeps sending beyond what it announced."""
        start, bound, first_ids = 0, None, set()
        while True:
            answer = self.get(path, StartIndex=start, Limit=PAGE_SIZE, **params)
            items, total = _page(answer, self.settings)
            if not items:
                return
            first = str(items[0].get("Id"))
            if first in first_ids:
                raise SourceError(f"{self.settings.where} sent the same page twice; stopping")
            first_ids.add(first)
            bound = min(total, MAX_ITEMS) if bound is None else bound
            start += len(items)
            if start > bound + PAGE_SIZE:
                raise SourceError(
                    f"{self.settings.where} kept sending items beyond the {bound} it announced "
                    "(a listing that never ends?); stopping"
                )
            yield items
            if start >= total or len(items) < PAGE_SIZE:
                return


def _json(response: httpx.Response, settings: ServerSettings) -> Any:
    where = settings.where
    if response.status_code in (401, 403):
        raise SourceError(
            f"{where} refused the key ({response.status_code} "
            f"{'Unauthorized' if response.status_code == 401 else 'Forbidden'}); check --api-key"
        )
    if response.status_code >= 400:
        raise SourceError(f"{where} answered HTTP {response.status_code} for {response.url.path}")
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise SourceError(
            f"{where} sent an answer RetroVue cannot read ({kind}, not JSON)"
        ) from None


def _page(answer: Any, settings: ServerSettings) -> tuple[list[Json], int]:
    items = answer.get("Items") if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SourceError(f"{settings.where} sent a listing without Items; cannot read it")
    total = answer.get("TotalRecordCount")
    return items, int(total) if isinstance(total, int) else len(items)


@contextmanager
def server_errors(settings: ServerSettings) -> Iterator[None]:
    """Translate httpx's errors into one-line :class:`SourceError` messages (no key in them)."""
    where = settings.where
    try:
        yield
    except httpx.TimeoutException:
        raise SourceError(
            f"{where} did not answer within {settings.timeout_s:g} s (timeout)"
        ) from None
    except httpx.ConnectError:
        raise SourceError(f"{where} is unreachable (connection failed)") from None
    except httpx.HTTPError as err:
        raise SourceError(f"{where}: request failed ({type(err).__name__})") from None


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"unknown server kind {kind!r} (jellyfin or emby)")
    return kind


def log_in(kind: str, url: str, user: str, password: str, timeout_s: float) -> tuple[str, str]:
    """User name and password -> (access token, user id); the password is not kept."""
    base_url = clean_url(url)
    settings = ServerSettings(check_kind(kind), base_url, "", timeout_s=timeout_s)
    SecretRegistry.add(password)
    with server_errors(settings), httpx.Client(base_url=base_url, timeout=timeout_s) as http:
        response = http.post(
            "/Users/AuthenticateByName",
            json={"Username": user, "Pw": password},
            headers=auth_headers(kind, None),
        )
        if response.status_code in (401, 403):
            raise SourceError(
                f"{settings.where} refused the user name or password ({response.status_code})"
            )
        answer = _json(response, settings)
    try:
        token, user_id = str(answer["AccessToken"]), str(answer["User"]["Id"])
    except (KeyError, TypeError):
        raise SourceError(f"{settings.where} sent a log-in answer without a token") from None
    SecretRegistry.add(token)
    return token, user_id
