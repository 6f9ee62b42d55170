"""Bounds on what a command line may carry (pure): ids, seconds, JSON.

Each class of value is checked once here, so that no command hands an absurd value to the
database (an id past the INTEGER column), to a timedelta (NaN or 1e300 seconds) or to the JSON
parser (nesting deep enough to exhaust the stack): a one-line error and exit 2 instead.
"""

from __future__ import annotations

import json
import math

from retrovue.errors import ValidationError

ID_MAX = 2**31 - 1  # ids are INTEGER columns (32 bits on PostgreSQL)
JSON_DEPTH_MAX = 32  # rules nest a few levels; far deeper is a mistake or an attack


def check_seconds(value: float, option: str, *, max_s: float) -> float:
    """A finite number of seconds in 0..``max_s``."""
    if not (math.isfinite(value) and 0 <= value <= max_s):
        raise ValidationError(f"{option}: must be 0 to {max_s:g} seconds, not {value}")
    return value


def load_json(text: str, what: str) -> object:
    """``text`` parsed as JSON, nested at most :data:`JSON_DEPTH_MAX` deep."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationError(
            f"{what}: not valid JSON: {err.msg} (line {err.lineno} column {err.colno})"
        ) from err
    except RecursionError:
        value = None
        depth = JSON_DEPTH_MAX + 1
    else:
        depth = json_depth(value)
    if depth > JSON_DEPTH_MAX:
        raise ValidationError(f"{what}: nested deeper than {JSON_DEPTH_MAX} levels")
    return value


def json_depth(value: object) -> int:
    """How deep lists and objects nest in ``value`` (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > JSON_DEPTH_MAX:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
