"""Rule selection: the indexed pools agree with the plain predicate; rules match as documented."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.broadcast.rules import parse_rule
from retrovue.scheduler.selection import Catalog, CatalogItem, matches

SERIES = ["Cheers", "Taxi", "M*A*S*H"]
TAGS = ["Comedy", "drama", "kids"]


@st.composite
def items(draw: st.DrawFn) -> list[CatalogItem]:
    count = draw(st.integers(0, 20))
    return [
        CatalogItem(
            asset_id=n,
            kind=draw(st.sampled_from(["episode", "movie", "filler", "other"])),
            title=f"T{n}",
            duration_ms=draw(st.integers(1_000, 7_200_000)),
            series=draw(st.sampled_from([None, *SERIES])),
            episode=draw(st.one_of(st.none(), st.integers(0, 30))),
            tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
            genres=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
            content_rating=draw(st.sampled_from([None, "TV-PG", "TV-14"])),
            canonical=draw(st.booleans()),
            available=draw(st.booleans()),
        )
        for n in range(count)
    ]


rules = st.fixed_dictionaries(
    {},
    optional={
        "tags": st.lists(st.sampled_from([t.upper() for t in TAGS]), min_size=1, max_size=2),
        "series": st.sampled_from([[s.lower()] for s in SERIES] + [SERIES[:2]]),
        "kind": st.sampled_from(["episode", "movie", "filler", "any"]),
        "genres": st.lists(st.sampled_from(TAGS), min_size=1, max_size=2),
        "max_duration": st.integers(1, 7200),
        "content_rating": st.sampled_from(["tv-pg", ["TV-14", "TV-PG"]]),
    },
)


@settings(max_examples=60, deadline=None)
@given(catalog_items=items(), rule_json=rules)
def test_pool_equals_the_airable_items_the_rule_matches(
    catalog_items: list[CatalogItem], rule_json: dict[str, object]
) -> None:
    rule = parse_rule(rule_json)
    catalog = Catalog(catalog_items)
    expected = sorted(
        (i for i in catalog_items if i.canonical and i.available and matches(rule, i)),
        key=lambda i: i.seq_key,
    )
    assert list(catalog.pool(rule).items) == expected


def test_empty_rule_selects_every_non_filler_and_tags_match_all() -> None:
    cheers = CatalogItem(1, "episode", "Cheers", 1000, series="Cheers", tags=("Comedy", "80s"))
    promo = CatalogItem(2, "filler", "Promo", 1000, tags=("comedy",))
    film = CatalogItem(3, "movie", "Film", 1000, tags=("comedy",))
    assert matches(parse_rule({}), cheers)
    assert not matches(parse_rule({}), promo)
    assert matches(parse_rule({"kind": "any"}), promo)
    both = parse_rule({"tags": ["comedy", "80S"], "match": "all"})
    assert matches(both, cheers)
    assert not matches(both, film)
