"""Path mapping: turn a path as a remote server (Plex) sees it into a path on this host. PURE.

A source has an ordered list of prefix mappings. The longest ``from`` prefix that covers a path wins
(ties: the earlier mapping). A prefix covers a path only on a component boundary: ``/data/tv``
covers ``/data/tv/Show/ep.mkv`` but not ``/data/tvshows/ep.mkv``. Windows-style prefixes
(``D:\\Media`` or anything with a backslash) match case-insensitively with either slash, and the
rest of the path is rewritten with forward slashes, as a Linux host needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from retrovue.errors import ValidationError

_DRIVE = re.compile(r"^[A-Za-z]:([\\/]|$)")


class PrefixMapping(Protocol):
    """Anything with the two prefixes (this module's :class:`Mapping`, the registry's ``PathMap``,
    the ``PathMapping`` row)."""

    @property
    def from_prefix(self) -> str: ...
    @property
    def to_prefix(self) -> str: ...


@dataclass(frozen=True)
class Mapping:
    from_prefix: str
    to_prefix: str


@dataclass(frozen=True)
class Mapped:
    """The outcome for one path: the local path, or None with the reason."""

    path: str | None
    reason: str | None = None
    mapping: PrefixMapping | None = None


def _is_windows(prefix: str) -> bool:
    return "\\" in prefix or bool(_DRIVE.match(prefix))


def _normalise(path: str, windows: bool) -> str:
    if windows:
        return path.replace("\\", "/").lower()
    return path


def _strip(prefix: str) -> str:
    stripped = prefix.rstrip("/\\")
    return stripped if stripped else prefix[:1]


def parse_mapping(text: str) -> Mapping:
    """``FROM=TO`` as typed on the command line; the first ``=`` separates them."""
    if "=" not in text:
        raise ValidationError(f"path mapping {text!r}: expected FROM=TO")
    from_prefix, to_prefix = text.split("=", 1)
    return make_mapping(from_prefix, to_prefix)


def make_mapping(from_prefix: str, to_prefix: str) -> Mapping:
    from_prefix, to_prefix = from_prefix.strip(), to_prefix.strip()
    if not from_prefix or not to_prefix:
        raise ValidationError(f"path mapping {from_prefix}={to_prefix}: both sides must be set")
    if not (from_prefix.startswith(("/", "\\")) or _DRIVE.match(from_prefix)):
        raise ValidationError(f"path mapping from {from_prefix!r}: must be an absolute path")
    if not to_prefix.startswith("/"):
        raise ValidationError(f"path mapping to {to_prefix!r}: must be an absolute local path")
    return Mapping(_strip(from_prefix), _strip(to_prefix))


def _covers(prefix: str, path: str) -> str | None:
    """The rest of ``path`` after ``prefix`` (``""`` for the prefix itself), or None."""
    windows = _is_windows(prefix)
    norm_prefix = _normalise(prefix, windows)
    norm_path = _normalise(path, windows)
    if norm_prefix in ("/", "\\"):
        return path[1:] if norm_path.startswith("/") else None
    if norm_path == norm_prefix:
        return ""
    if norm_path.startswith(norm_prefix + "/"):
        rest = path[len(prefix) + 1 :]
        return rest.replace("\\", "/") if windows else rest
    return None


def best_mapping(mappings: Sequence[PrefixMapping], path: str) -> tuple[PrefixMapping, str] | None:
    """The longest-prefix mapping covering ``path`` (first wins a tie), and the rest of the path."""
    best: tuple[PrefixMapping, str] | None = None
    for mapping in mappings:
        rest = _covers(mapping.from_prefix, path)
        if rest is None:
            continue
        if best is None or len(mapping.from_prefix) > len(best[0].from_prefix):
            best = (mapping, rest)
    return best


def apply(mappings: Sequence[PrefixMapping], path: str) -> Mapped:
    """Map ``path``; when no prefix covers it, the result carries the reason instead."""
    found = best_mapping(mappings, path)
    if found is None:
        return Mapped(None, unmapped_reason(path))
    mapping, rest = found
    if not rest:
        return Mapped(mapping.to_prefix, None, mapping)
    base = mapping.to_prefix.rstrip("/")
    return Mapped(f"{base}/{rest}", None, mapping)


def unmapped_reason(path: str) -> str:
    return f"no path mapping covers {path!r} (add one with: retrovue source map add NAME FROM TO)"


def unmapped(mappings: Sequence[PrefixMapping], paths: Iterable[str]) -> list[str]:
    """The paths no mapping covers, in their order."""
    return [path for path in paths if best_mapping(mappings, path) is None]


def playable_path(kind: str, mappings: Sequence[PrefixMapping], path: str) -> Mapped:
    """Where a source's file is on this host: a server source's path goes through its mappings;
    a filesystem source's path is already local."""
    if kind == "filesystem":
        return Mapped(path)
    return apply(mappings, path)
