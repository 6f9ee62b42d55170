"""Logging setup: plain or JSON lines on stderr, with secrets redacted from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import ClassVar

_TOKEN_PATTERNS = (
    re.compile(r"(?i)(x-plex-token[=:]\s*)([^&\s\"']+)"),
    re.compile(r"(?i)(x-emby-token[=:]\s*)([^&\s\"']+)"),
    re.compile(r"(?i)((?:^|[?&\s])api_key[=:]\s*)([^&\s\"']+)"),
    re.compile(r"(?i)(token=\")([^\"]+)"),
    re.compile(r"(?i)((?:^|[?&\s])token[=:]\s*)([^&\s\"']+)"),
    re.compile(r"(?i)(authorization:\s*\w+\s+)(\S+)"),
)
# user:password@ after any scheme (postgresql://, mysql://, http://, ...)
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/@\s'\"]*:)([^@/\s'\"]+)(@)")
MASK = "****"


def hide_url_password(text: str) -> str:
    """``text`` with the password of every URL in it masked (``scheme://user:****@host``)."""
    return _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)


class SecretRegistry:
    """Exact secret values (Plex tokens, passwords) known at run time, masked wherever seen."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _values: ClassVar[set[str]] = set()

    @classmethod
    def add(cls, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with cls._lock:
                cls._values.add(secret)

    @classmethod
    def values(cls) -> frozenset[str]:
        with cls._lock:
            return frozenset(cls._values)


def redact(text: str) -> str:
    """Mask known secrets and anything shaped like a token, password or authorization header."""
    for secret in SecretRegistry.values():
        text = text.replace(secret, MASK)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return hide_url_password(text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        for key in ("channel", "client", "event_id", "asset_id"):
            value = record.__dict__.get(key)
            if value is not None:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str = "plain", level: str = "INFO") -> None:
    """Install one stderr handler on the root logger (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_retrovue", False)]:
        root.removeHandler(existing)
    handler._retrovue = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
