"""Logs: secrets never reach the output, JSON lines parse."""

from __future__ import annotations

import json
import logging

import pytest

from retrovue.logs import MASK, JsonFormatter, RedactingFilter, SecretRegistry, redact


@pytest.mark.parametrize(
    "text",
    [
        "GET http://plex.lan:32400/library/sections?X-Plex-Token=abcSECRET123 200",
        "connecting with token=abcSECRET123 now",
        "Authorization: Bearer abcSECRET123",
        'Authorization: MediaBrowser Client="RetroVue", Device="RetroVue", Token="abcSECRET123"',
        "X-Emby-Token: abcSECRET123",
        "GET http://emby.lan:8096/Items?api_key=abcSECRET123&Limit=500",
        "postgresql://station:abcSECRET123@db.lan/retrovue unreachable",
    ],
)
def test_redact_token_shapes(text: str) -> None:
    cleaned = redact(text)
    assert "abcSECRET123" not in cleaned
    assert MASK in cleaned


def test_registered_secret_is_masked_anywhere() -> None:
    SecretRegistry.add("zz-very-secret-zz")
    assert redact("the value zz-very-secret-zz leaked") == f"the value {MASK} leaked"


def test_filter_cleans_args_and_exceptions() -> None:
    SecretRegistry.add("tok-987654")
    logger = logging.getLogger("retrovue.test.redaction")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("sync of %s failed", "http://x/?X-Plex-Token=tok-987654")
        try:
            raise RuntimeError("bad token tok-987654")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert all("tok-987654" not in r.getMessage() for r in records)
    assert "tok-987654" not in (records[1].exc_text or "")
    assert "RuntimeError" in (records[1].exc_text or "")


def test_json_formatter_emits_one_object_per_line() -> None:
    record = logging.LogRecord("retrovue.x", logging.INFO, __file__, 1, "tuned %s", ("2.1",), None)
    record.channel = "2.1"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "tuned 2.1"
    assert entry["channel"] == "2.1"
    assert entry["level"] == "info"
