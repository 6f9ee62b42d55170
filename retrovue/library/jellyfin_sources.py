"""Adding a Jellyfin or Emby source: checked against the live server, then written at once.

``add_server_source`` logs in (user name and password -> an access token; the password is never
stored) or takes an API key, reads the server's libraries, checks the ones named, and only then
writes the source with its path mappings in one transaction. An unreachable server, a timeout, a
refused key or password, or an unknown library writes nothing. Path mappings are managed with
the same commands as for Plex (:mod:`retrovue.library.plex_sources`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.errors import ValidationError
from retrovue.library import pathmap
from retrovue.library.jellyfin import ServerInfo, ServerLibrary, choose_libraries, server_info
from retrovue.library.jellyfin_api import DEFAULT_TIMEOUT_S, ServerSettings, check_kind, log_in
from retrovue.library.plex import clean_url, display_url
from retrovue.library.plex_sources import check_name_free, unique_mappings
from retrovue.library.sources import SourceView, add_source

DescribeFn = Callable[[ServerSettings], ServerInfo]


@dataclass(frozen=True)
class Credentials:
    """An API key, or a user name and password (exchanged for a token at once)."""

    api_key: str | None = None
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class ServerSourceAdded:
    source: SourceView
    server: ServerInfo
    libraries: tuple[ServerLibrary, ...]
    uncovered: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.source.to_json(),
            "server": self.server.name,
            "libraries": [lib.name for lib in self.libraries],
            "unmapped_locations": list(self.uncovered),
        }


def add_server_source(
    database: Database,
    clock: Clock,
    *,
    kind: str,
    name: str,
    url: str,
    credentials: Credentials,
    libraries: Sequence[str] = (),
    mappings: Sequence[str] = (),
    is_filler: bool = False,
    tags: Sequence[str] = (),
    timeout_s: float = DEFAULT_TIMEOUT_S,
    describe: DescribeFn = server_info,
) -> ServerSourceAdded:
    check_kind(kind)
    base_url = server_url(url)
    if timeout_s <= 0:
        raise ValidationError("--timeout must be a positive number of seconds")
    parsed = unique_mappings([pathmap.parse_mapping(text) for text in mappings])
    wanted = tuple(dict.fromkeys(t.strip() for t in libraries if t.strip()))
    check_name_free(database, name)
    token, user_id = _token(kind, base_url, credentials, timeout_s)
    settings = ServerSettings(kind, base_url, token, user_id, wanted, timeout_s)
    info = describe(settings)
    chosen = choose_libraries(info.libraries, wanted, settings.where)
    view = add_source(
        database,
        clock,
        name=name,
        kind=kind,
        settings={
            "url": base_url,
            "token": token,
            "user_id": user_id,
            "libraries": list(wanted),
            "timeout_s": timeout_s,
            "server_name": info.name,
            "server_id": info.server_id,
        },
        is_filler=is_filler,
        tags=tags,
        path_mappings=[(m.from_prefix, m.to_prefix) for m in parsed],
    )
    locations = [loc for lib in chosen for loc in lib.locations]
    return ServerSourceAdded(view, info, tuple(chosen), tuple(pathmap.unmapped(parsed, locations)))


def server_url(url: str) -> str:
    try:
        return clean_url(url)
    except ValidationError:
        raise ValidationError(
            f"--url {display_url(url)!r}: expected http://HOST:PORT (e.g. http://jellyfin.lan:8096)"
        ) from None


def _token(
    kind: str, base_url: str, credentials: Credentials, timeout_s: float
) -> tuple[str, str | None]:
    key = (credentials.api_key or "").strip()
    user = (credentials.user or "").strip()
    if key and user:
        raise ValidationError("give --api-key or --user and --password, not both")
    if key:
        return key, None
    if not user or credentials.password is None:
        raise ValidationError("give --api-key, or --user and --password")
    return log_in(kind, base_url, user, credentials.password, timeout_s)
