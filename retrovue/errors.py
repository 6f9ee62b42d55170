"""One error root; one subclass per concern. Each carries a message fit for one line."""

from __future__ import annotations


class RetrovueError(Exception):
    """Root of every error RetroVue raises on purpose. Its message is shown to the operator."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(RetrovueError):
    """A setting is unknown, missing or malformed."""


class DatabaseError(RetrovueError):
    """The database is unreachable, misconfigured or refused an operation."""


class NotFoundError(RetrovueError):
    """A named thing (source, asset, channel, template ...) does not exist."""


class ConflictError(RetrovueError):
    """The change conflicts with what exists (duplicate name, thing still in use ...)."""


class ValidationError(RetrovueError):
    """Input that does not make sense (bad guide number, overlapping blocks, bad rule ...)."""


class SourceError(RetrovueError):
    """A media source cannot be read (missing folder, unreachable or refusing Plex server)."""


class ProbeError(RetrovueError):
    """A media file cannot be probed."""


class PromotionError(RetrovueError):
    """An asset cannot be promoted into the broadcast catalog."""


class ScheduleError(RetrovueError):
    """The scheduler cannot build or answer for a broadcast day."""


class StreamError(RetrovueError):
    """The runtime cannot produce a stream."""


class TunerError(RetrovueError):
    """No tuner is available, or the requested one is busy."""
