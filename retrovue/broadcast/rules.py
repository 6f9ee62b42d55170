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
BreakAt = Literal["chapters", "computed", "none"]

MAX_EPISODES_PER_SLOT = 100
MAX_NO_REPEAT_DAYS = 3650
MAX_DURATION_MS = 7 * 24 * 3600 * 1000  # a week: longer than anything a block can hold


@dataclass(frozen=True)
class FillerPolicy:
    """How the gaps of a block are padded. ``any``: any filler asset, else the slate."""

    mode: FillerMode = "any"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class BreakPolicy:
    """Where a block's programmes stop for breaks and what fills them (``docs/rules.md``)."""

    at: BreakAt = "chapters"  # the asset's break points (else computed), computed, or none
    max_per_programme: int = 3
    max_per_hour: int = 4
    min_spacing_ms: int = 6 * 60_000  # between two breaks, and from either end of a programme
    min_programme_ms: int = 10 * 60_000  # shorter programmes play whole
    fill: FillerPolicy = field(default_factory=FillerPolicy)
    bumper_out: FillerPolicy | None = None
    bumper_in: FillerPolicy | None = None
    station_id: FillerPolicy | None = None  # last before a programme starting on the hour
    up_next_ms: int = 0  # an "Up next" card closing each break and each slot (0: none)
    spare: float = 1.0  # share of the slot's spare time given to the breaks (the rest: the end)
    cooldown_ms: int = 30 * 60_000  # the same spot not again within this on the channel


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
    breaks: BreakPolicy | None = None  # None: programmes play whole


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


def _filler(value: object, key: str = "filler") -> FillerPolicy:
    shape = "'slate', 'any' or {\"tags\": [...]}"
    if isinstance(value, str):
        if value in ("slate", "any"):
            return FillerPolicy(mode=cast(FillerMode, value))
        raise _fail(key, f"must be {shape} (got {value!r})")
    if not isinstance(value, dict):
        raise _fail(key, f"must be {shape} (got {_type(value)})")
    unknown = sorted(str(k) for k in value if k != "tags")
    if unknown:
        raise _fail(f"{key}.{unknown[0]}", "unknown key (the only key is tags)")
    if "tags" not in value:
        raise _fail(f"{key}.tags", "missing (give at least one filler tag)")
    tags = _strings(f"{key}.tags", value["tags"])
    if not tags:
        raise _fail(f"{key}.tags", "must hold at least one tag")
    return FillerPolicy(mode="tags", tags=tags)


def _spots(key: str, value: object) -> FillerPolicy:
    """Which filler assets fill (part of) a break: 'any' or {"tags": [...]}."""
    if value == "slate":
        raise _fail(key, "a break holds spots, not the slate: use 'any' or {\"tags\": [...]}")
    try:
        return _filler(value)
    except ValidationError as err:
        raise ValidationError(
            err.message.replace("rule_json: filler", f"rule_json: {key}")
        ) from err


def _share(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(key, f"must be a number from 0 to 1 (got {_type(value)} {value!r})")
    if not 0 <= value <= 1:
        raise _fail(key, f"must be from 0 to 1 (got {value})")
    return float(value)


def _bumpers(value: object) -> dict[str, FillerPolicy]:
    if not isinstance(value, dict) or not value:
        raise _fail("breaks.bumpers", 'must be an object with "out" and/or "in"')
    unknown = sorted(str(k) for k in value if k not in ("out", "in"))
    if unknown:
        raise _fail(f"breaks.bumpers.{unknown[0]}", "unknown key (the keys are out and in)")
    return {f"bumper_{k}": _spots(f"breaks.bumpers.{k}", v) for k, v in value.items()}


_BREAK_FIELDS: dict[str, tuple[str, _Parser]] = {
    "at": ("at", lambda k, v: _choice(k, v, BreakAt)),
    "max_per_programme": ("max_per_programme", lambda k, v: _int(k, v, 1, 20)),
    "max_per_hour": ("max_per_hour", lambda k, v: _int(k, v, 1, 30)),
    "min_spacing": ("min_spacing_ms", _duration_ms),
    "min_programme": ("min_programme_ms", _duration_ms),
    "fill": ("fill", _spots),
    "station_id": ("station_id", _spots),
    "up_next": ("up_next_ms", _duration_ms),
    "spare": ("spare", _share),
    "cooldown": ("cooldown_ms", _duration_ms),
}


def _breaks(value: object) -> BreakPolicy | None:
    if value is None or value == "none":
        return None
    if not isinstance(value, dict):
        raise _fail("breaks", f"must be an object or 'none' (got {_type(value)})")
    values: dict[str, object] = {}
    for key, item in value.items():
        if key == "bumpers":
            values.update(_bumpers(item))
            continue
        if key not in _BREAK_FIELDS:
            known = ", ".join([*_BREAK_FIELDS, "bumpers"])
            raise _fail(f"breaks.{key}", f"unknown key (known keys: {known})")
        attr, parse = _BREAK_FIELDS[key]
        values[attr] = parse(f"breaks.{key}", item)
    policy = BreakPolicy(**values)  # type: ignore[arg-type]
    if policy.up_next_ms > 60_000:
        raise _fail("breaks.up_next", "at most 60 s")
    return policy


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
    "breaks": ("breaks", lambda _k, v: _breaks(v)),
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
    if rule.breaks is not None and rule.align != "grid":
        raise _fail("breaks", "needs align 'grid' (breaks use the time a slot has to spare)")


# --- writing ---------------------------------------------------------------------------------


def _seconds(duration_ms: int) -> int | float:
    return duration_ms // 1000 if duration_ms % 1000 == 0 else duration_ms / 1000


def _filler_json(policy: FillerPolicy) -> object:
    if policy.mode == "tags":
        return {"tags": list(policy.tags)}
    return policy.mode


def _breaks_json(policy: BreakPolicy) -> dict[str, object]:
    default = BreakPolicy()
    out: dict[str, object] = {}
    for key, (attr, _parser) in _BREAK_FIELDS.items():
        value = getattr(policy, attr)
        if value == getattr(default, attr):
            continue
        if isinstance(value, FillerPolicy):
            out[key] = _filler_json(value)
        elif attr.endswith("_ms"):
            out[key] = _seconds(value)
        else:
            out[key] = value
    bumpers = {
        k: _filler_json(p) for k, p in (("out", policy.bumper_out), ("in", policy.bumper_in)) if p
    }
    if bumpers:
        out["bumpers"] = bumpers
    return out


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
        elif isinstance(value, BreakPolicy):
            out[key] = _breaks_json(value)
        else:
            out[key] = value
    return out
