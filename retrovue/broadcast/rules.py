"""``rule_json``: what a template block airs, parsed into a frozen :class:`Rule` (pure).

The JSON form is documented in ``docs/rules.md``. Every error is a :class:`ValidationError` whose
message reads ``rule_json: <key>: <what is wrong>``. :func:`rule_to_json` writes the canonical form
(only the keys that differ from their defaults), and ``parse_rule(rule_to_json(r)) == r``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from retrovue.errors import ValidationError

FillerMode = Literal["any", "tags", "slate"]
TagsMatch = Literal["any", "all"]
RuleKind = Literal["episode", "movie", "filler", "any"]
Order = Literal["sequential", "shuffle", "random"]
Align = Literal["grid", "back_to_back"]
Overrun = Literal["allow", "truncate", "skip"]

MAX_EPISODES_PER_SLOT = 100
MAX_NO_REPEAT_DAYS = 3650
MAX_DURATION_MS = 7 * 24 * 3600 * 1000  # a week: longer than anything a block can hold


@dataclass(frozen=True)
class FillerPolicy:
    """How the gaps of a block are padded. ``any``: any filler asset, else the slate."""

    mode: FillerMode = "any"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """What a block selects, in which order, and how it lays programmes out."""

    tags: tuple[str, ...] = ()
    tags_match: TagsMatch = "any"
    series: tuple[str, ...] = ()
    kind: RuleKind | None = None  # None: any non-filler asset
    genres: tuple[str, ...] = ()
    min_duration_ms: int | None = None
    max_duration_ms: int | None = None
    content_rating: tuple[str, ...] = ()
    order: Order = "sequential"
    no_repeat_days: int = 0
    align: Align = "grid"
    filler: FillerPolicy = field(default_factory=FillerPolicy)
    overrun: Overrun = "allow"
    episodes_per_slot: int = 1


# --- durations -------------------------------------------------------------------------------

_DURATION_RE = re.compile(r"(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
_DURATION_HINT = "write it like 30m, 1h30m, 24h or 90s"


def parse_duration(text: str) -> int:
    """``"30m"``, ``"1h30m"``, ``"24h"``, ``"90s"`` -> milliseconds. Units h, m, s in that order."""
    if not isinstance(text, str):
        raise ValidationError(f"invalid duration {text!r}: {_DURATION_HINT}")
    cleaned = text.strip().lower()
    match = _DURATION_RE.fullmatch(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        hint = "add a unit (h, m or s)" if cleaned.isdigit() else _DURATION_HINT
        raise ValidationError(f"invalid duration {text!r}: {hint}")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    total_ms = ((hours * 60 + minutes) * 60 + seconds) * 1000
    if total_ms > MAX_DURATION_MS:
        raise ValidationError(f"invalid duration {text!r}: longer than 7 days")
    return total_ms


def format_duration(duration_ms: int) -> str:
    """Milliseconds -> ``1h30m`` style (whole seconds; the inverse of :func:`parse_duration`)."""
    total_s = duration_ms // 1000
    hours, rest = divmod(total_s, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (seconds, "s")) if v]
    return "".join(parts) or "0s"


# --- parsing ---------------------------------------------------------------------------------


def _fail(key: str, problem: str) -> ValidationError:
    return ValidationError(f"rule_json: {key}: {problem}")


def _choice(key: str, value: object, allowed: object) -> str:
    options: tuple[str, ...] = get_args(allowed)
    if not isinstance(value, str) or value not in options:
        raise _fail(key, f"must be one of {', '.join(options)} (got {value!r})")
    return value


def _strings(key: str, value: object) -> tuple[str, ...]:
    """A string or a list of non-empty strings."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _fail(key, f"must be a string or a list of strings (got {_type(value)})")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(key, f"item {index} must be a string (got {_type(item)})")
        if not item.strip():
            raise _fail(key, f"item {index} is empty")
    return tuple(cast(list[str], items))


def _int(key: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, f"must be a whole number (got {_type(value)} {value!r})")
    if not low <= value <= high:
        raise _fail(key, f"must be between {low} and {high} (got {value})")
    return value


def _duration_ms(key: str, value: object) -> int:
    """Seconds as a number, or a duration string such as ``"20m"``."""
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValidationError as err:
            raise _fail(key, err.message) from err
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(key, f"must be seconds as a number or a string like '20m' (got {_type(value)})")
    if not math.isfinite(value) or value < 0:
        raise _fail(key, f"must be zero or more seconds (got {value})")
    duration_ms = round(value * 1000)
    if duration_ms > MAX_DURATION_MS:
        raise _fail(key, f"longer than 7 days (got {value} s)")
    return duration_ms


def _filler(value: object) -> FillerPolicy:
    if isinstance(value, str):
        if value in ("slate", "any"):
            return FillerPolicy(mode=cast(FillerMode, value))
        raise _fail("filler", f"must be 'slate', 'any' or {{\"tags\": [...]}} (got {value!r})")
    if not isinstance(value, dict):
        raise _fail("filler", f"must be 'slate', 'any' or {{\"tags\": [...]}} (got {_type(value)})")
    unknown = sorted(str(k) for k in value if k != "tags")
    if unknown:
        raise _fail(f"filler.{unknown[0]}", "unknown key (the only key is tags)")
    if "tags" not in value:
        raise _fail("filler.tags", "missing (give at least one filler tag)")
    tags = _strings("filler.tags", value["tags"])
    if not tags:
        raise _fail("filler.tags", "must hold at least one tag")
    return FillerPolicy(mode="tags", tags=tags)


def _type(value: object) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), type(value).__name__)


_Parser = Callable[[str, object], object]

_FIELDS: dict[str, tuple[str, _Parser]] = {
    "tags": ("tags", _strings),
    "match": ("tags_match", lambda k, v: _choice(k, v, TagsMatch)),
    "series": ("series", _strings),
    "kind": ("kind", lambda k, v: None if v is None else _choice(k, v, RuleKind)),
    "genres": ("genres", _strings),
    "min_duration": ("min_duration_ms", _duration_ms),
    "max_duration": ("max_duration_ms", _duration_ms),
    "content_rating": ("content_rating", _strings),
    "order": ("order", lambda k, v: _choice(k, v, Order)),
    "no_repeat_days": ("no_repeat_days", lambda k, v: _int(k, v, 0, MAX_NO_REPEAT_DAYS)),
    "align": ("align", lambda k, v: _choice(k, v, Align)),
    "filler": ("filler", lambda _k, v: _filler(v)),
    "overrun": ("overrun", lambda k, v: _choice(k, v, Overrun)),
    "episodes_per_slot": (
        "episodes_per_slot",
        lambda k, v: _int(k, v, 1, MAX_EPISODES_PER_SLOT),
    ),
}
RULE_KEYS: tuple[str, ...] = tuple(_FIELDS)


def parse_rule(data: object) -> Rule:
    """Validate a decoded ``rule_json`` object and return its :class:`Rule`."""
    if not isinstance(data, dict):
        raise ValidationError(f"rule_json: must be a JSON object (got {_type(data)})")
    for key in data:
        if key not in _FIELDS:
            known = ", ".join(RULE_KEYS)
            raise _fail(str(key), f"unknown key (known keys: {known})")
    values = {_FIELDS[key][0]: _FIELDS[key][1](key, value) for key, value in data.items()}
    rule = Rule(**values)  # type: ignore[arg-type]
    _check_consistency(rule, data)
    return rule


def _check_consistency(rule: Rule, data: Mapping[str, object]) -> None:
    if "match" in data and not rule.tags:
        raise _fail("match", "needs tags to match against")
    low, high = rule.min_duration_ms, rule.max_duration_ms
    if low is not None and high is not None and low > high:
        raise _fail("min_duration", "is longer than max_duration")
    if rule.max_duration_ms == 0:
        raise _fail("max_duration", "must be more than zero")
    if rule.no_repeat_days and rule.order != "random":
        raise _fail("no_repeat_days", f"only applies to order 'random' (order is {rule.order!r})")


# --- writing ---------------------------------------------------------------------------------


def _seconds(duration_ms: int) -> int | float:
    return duration_ms // 1000 if duration_ms % 1000 == 0 else duration_ms / 1000


def _filler_json(policy: FillerPolicy) -> object:
    if policy.mode == "tags":
        return {"tags": list(policy.tags)}
    return policy.mode


def rule_to_json(rule: Rule) -> dict[str, object]:
    """The canonical JSON object of ``rule``: keys whose value differs from the default."""
    default = Rule()
    out: dict[str, object] = {}
    for key, (attr, _parser) in _FIELDS.items():
        value = getattr(rule, attr)
        if value == getattr(default, attr):
            continue
        if isinstance(value, tuple):
            out[key] = list(value)
        elif attr.endswith("_ms"):
            out[key] = _seconds(value)
        elif isinstance(value, FillerPolicy):
            out[key] = _filler_json(value)
        else:
            out[key] = value
    return out
