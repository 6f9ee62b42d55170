"""The canonical rule as pure functions: only canonical AND available catalog assets ever air."""

from __future__ import annotations


def is_airable(canonical: bool, available: bool) -> bool:
    """True when a catalog asset may be scheduled and played."""
    return gate_reason(canonical, available) is None


def gate_reason(canonical: bool, available: bool) -> str | None:
    """Why an asset may not air (one line), or ``None`` when it may."""
    if not canonical:
        return "not canonical (never promoted, or revoked)"
    if not available:
        return "not available (its file is missing or was removed from the library)"
    return None
