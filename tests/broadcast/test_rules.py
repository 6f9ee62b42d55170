"""rule_json parsing: every key, its defaults, its errors, and the JSON round trip."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.broadcast.rules import (
    RULE_KEYS,
    FillerPolicy,
    Order,
    Rule,
    format_duration,
    parse_duration,
    parse_rule,
    rule_to_json,
)
from retrovue.errors import ValidationError


def test_empty_rule_is_all_defaults() -> None:
    rule = parse_rule({})
    assert rule == Rule()
    assert rule.kind is None
    assert rule.order == "sequential"
    assert rule.align == "grid"
    assert rule.filler == FillerPolicy(mode="any", tags=())
    assert rule.overrun == "allow"
    assert rule.episodes_per_slot == 1
    assert rule_to_json(rule) == {}


def test_every_key_parses() -> None:
    rule = parse_rule(
        {
            "tags": ["cartoon", "retro"],
            "match": "all",
            "series": "The Simpsons",
            "kind": "episode",
            "genres": ["Comedy"],
            "min_duration": "20m",
            "max_duration": 1800,
            "content_rating": "TV-PG",
            "order": "random",
            "no_repeat_days": 7,
            "align": "back_to_back",
            "filler": {"tags": ["bumper"]},
            "overrun": "truncate",
            "episodes_per_slot": 2,
        }
    )
    assert rule == Rule(
        tags=("cartoon", "retro"),
        tags_match="all",
        series=("The Simpsons",),
        kind="episode",
        genres=("Comedy",),
        min_duration_ms=1_200_000,
        max_duration_ms=1_800_000,
        content_rating=("TV-PG",),
        order="random",
        no_repeat_days=7,
        align="back_to_back",
        filler=FillerPolicy(mode="tags", tags=("bumper",)),
        overrun="truncate",
        episodes_per_slot=2,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("slate", FillerPolicy("slate")),
        ("any", FillerPolicy()),
        ({"tags": "x"}, FillerPolicy("tags", ("x",))),
    ],
)
def test_filler_forms(value: object, expected: FillerPolicy) -> None:
    assert parse_rule({"filler": value}).filler == expected


def test_kind_null_means_any_non_filler() -> None:
    assert parse_rule({"kind": None}).kind is None
    assert parse_rule({"kind": "any"}).kind == "any"


def test_fractional_seconds_become_milliseconds() -> None:
    assert parse_rule({"min_duration": 90.5}).min_duration_ms == 90_500
    assert rule_to_json(Rule(min_duration_ms=90_500)) == {"min_duration": 90.5}
    assert rule_to_json(Rule(min_duration_ms=90_000)) == {"min_duration": 90}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "rule_json: must be a JSON object (got list)"),
        ("{}", "rule_json: must be a JSON object (got string)"),
        ({"colour": "red"}, "rule_json: colour: unknown key (known keys: tags, match,"),
        ({"tags": 5}, "rule_json: tags: must be a string or a list of strings (got int)"),
        ({"tags": ["a", 3]}, "rule_json: tags: item 1 must be a string (got int)"),
        ({"tags": ["a", " "]}, "rule_json: tags: item 1 is empty"),
        (
            {"tags": ["a"], "match": "some"},
            "rule_json: match: must be one of any, all (got 'some')",
        ),
        ({"match": "all"}, "rule_json: match: needs tags to match against"),
        ({"series": {"a": 1}}, "rule_json: series: must be a string or a list of strings"),
        ({"kind": "show"}, "rule_json: kind: must be one of episode, movie, filler, any"),
        ({"genres": [None]}, "rule_json: genres: item 0 must be a string (got null)"),
        ({"min_duration": "20 minutes"}, "rule_json: min_duration: invalid duration '20 minutes'"),
        ({"min_duration": -1}, "rule_json: min_duration: must be zero or more seconds (got -1)"),
        ({"min_duration": True}, "rule_json: min_duration: must be seconds as a number"),
        ({"max_duration": float("inf")}, "rule_json: max_duration: must be zero or more seconds"),
        ({"max_duration": 0}, "rule_json: max_duration: must be more than zero"),
        ({"max_duration": "8d"}, "rule_json: max_duration: invalid duration '8d'"),
        (
            {"min_duration": "1h", "max_duration": "30m"},
            "rule_json: min_duration: is longer than max_duration",
        ),
        ({"content_rating": 12}, "rule_json: content_rating: must be a string or a list"),
        ({"order": "alphabetical"}, "rule_json: order: must be one of sequential, shuffle, random"),
        ({"order": "random", "no_repeat_days": -1}, "rule_json: no_repeat_days: must be between 0"),
        ({"order": "random", "no_repeat_days": 1.5}, "rule_json: no_repeat_days: must be a whole"),
        ({"no_repeat_days": 3}, "rule_json: no_repeat_days: only applies to order 'random'"),
        ({"align": "center"}, "rule_json: align: must be one of grid, back_to_back"),
        ({"filler": "none"}, "rule_json: filler: must be 'slate', 'any' or {\"tags\": [...]}"),
        ({"filler": 3}, "rule_json: filler: must be 'slate', 'any' or {\"tags\": [...]} (got int)"),
        ({"filler": {"tags": ["a"], "x": 1}}, "rule_json: filler.x: unknown key"),
        ({"filler": {}}, "rule_json: filler.tags: missing"),
        ({"filler": {"tags": []}}, "rule_json: filler.tags: must hold at least one tag"),
        ({"overrun": "cut"}, "rule_json: overrun: must be one of allow, truncate, skip"),
        ({"episodes_per_slot": 0}, "rule_json: episodes_per_slot: must be between 1 and 100"),
        ({"episodes_per_slot": "2"}, "rule_json: episodes_per_slot: must be a whole number"),
        ({"episodes_per_slot": True}, "rule_json: episodes_per_slot: must be a whole number"),
    ],
)
def test_errors_name_the_key_and_the_problem(data: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_rule(data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected_ms"),
    [
        ("30m", 1_800_000),
        ("1h30m", 5_400_000),
        ("24h", 86_400_000),
        ("90s", 90_000),
        ("1h1m1s", 3_661_000),
        (" 2H ", 7_200_000),
        ("0m", 0),
    ],
)
def test_parse_duration(text: str, expected_ms: int) -> None:
    assert parse_duration(text) == expected_ms


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "write it like 30m"),
        ("90", "add a unit (h, m or s)"),
        ("30m1h", "write it like 30m"),
        ("1.5h", "write it like 30m"),
        ("-5m", "write it like 30m"),
        ("1d", "write it like 30m"),
        ("1h 30m", "write it like 30m"),
        ("169h", "longer than 7 days"),
    ],
)
def test_parse_duration_errors(text: str, hint: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(hint)):
        parse_duration(text)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=7 * 24 * 3600))
def test_format_duration_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds * 1000)) == seconds * 1000


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1
).filter(lambda s: bool(s.strip()))
_texts = st.lists(_text, max_size=3).map(tuple)
_ms = st.integers(min_value=0, max_value=7 * 24 * 3600 * 1000)


ORDERS: tuple[Order, ...] = ("sequential", "shuffle", "random")


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    tags = draw(_texts)
    order: Order = draw(st.sampled_from(ORDERS))
    low, high = draw(st.none() | _ms), draw(st.none() | _ms.filter(bool))
    if low is not None and high is not None and low > high:
        low, high = high, low
    filler_tags = draw(st.lists(_text, min_size=1, max_size=2).map(tuple))
    filler = draw(
        st.sampled_from([FillerPolicy(), FillerPolicy("slate"), FillerPolicy("tags", filler_tags)])
    )
    return Rule(
        tags=tags,
        tags_match=draw(st.sampled_from(["any", "all"])) if tags else "any",
        series=draw(_texts),
        kind=draw(st.sampled_from([None, "episode", "movie", "filler", "any"])),
        genres=draw(_texts),
        min_duration_ms=low,
        max_duration_ms=high,
        content_rating=draw(_texts),
        order=order,
        no_repeat_days=draw(st.integers(0, 3650)) if order == "random" else 0,
        align=draw(st.sampled_from(["grid", "back_to_back"])),
        filler=filler,
        overrun=draw(st.sampled_from(["allow", "truncate", "skip"])),
        episodes_per_slot=draw(st.integers(1, 100)),
    )


@settings(deadline=None)
@given(rules())
def test_round_trip(rule: Rule) -> None:
    assert parse_rule(rule_to_json(rule)) == rule


@settings(deadline=None)
@given(rules())
def test_round_trip_through_json_text(rule: Rule) -> None:
    data = rule_to_json(rule)
    assert set(data) <= set(RULE_KEYS)
    assert parse_rule(json.loads(json.dumps(data))) == rule


def test_rule_is_frozen_and_hashable() -> None:
    rule = parse_rule({"tags": ["a"]})
    assert hash(rule) == hash(Rule(tags=("a",)))
    with pytest.raises(AttributeError):
        rule.order = "random"  # type: ignore[misc]


def test_rules_module_is_pure() -> None:
    """rules.py imports only the standard library's pure parts and retrovue.errors."""
    import ast
    from pathlib import Path

    import retrovue.broadcast.rules as rules_module

    tree = ast.parse(Path(rules_module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    allowed = {"__future__", "math", "re", "collections.abc", "dataclasses", "typing"}
    assert imported - allowed == {"retrovue.errors"}
