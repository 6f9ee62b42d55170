"""Path mapping: ordered prefixes, longest wins, component boundaries, Windows-style paths."""

from __future__ import annotations

import pytest

from retrovue.errors import ValidationError
from retrovue.library.pathmap import (
    Mapping,
    apply,
    best_mapping,
    make_mapping,
    parse_mapping,
    playable_path,
    unmapped,
)


def test_longest_prefix_wins_regardless_of_order() -> None:
    mappings = [Mapping("/data", "/mnt/nas"), Mapping("/data/tv", "/srv/tv")]
    assert apply(mappings, "/data/tv/Show/S01E01.mkv").path == "/srv/tv/Show/S01E01.mkv"
    assert apply(mappings, "/data/movies/Film.mkv").path == "/mnt/nas/movies/Film.mkv"
    reversed_order = list(reversed(mappings))
    assert apply(reversed_order, "/data/tv/Show/S01E01.mkv").path == "/srv/tv/Show/S01E01.mkv"


def test_first_mapping_wins_a_tie() -> None:
    mappings = [Mapping("/data", "/first"), Mapping("/data/", "/second")]
    found = best_mapping([make_mapping(m.from_prefix, m.to_prefix) for m in mappings], "/data/x")
    assert found is not None
    assert found[0].to_prefix == "/first"


def test_prefix_matches_whole_path_components_only() -> None:
    mappings = [Mapping("/data/tv", "/srv/tv")]
    result = apply(mappings, "/data/tvshows/Show/ep.mkv")
    assert result.path is None
    assert result.reason is not None
    assert "/data/tvshows/Show/ep.mkv" in result.reason
    assert apply(mappings, "/data/tv").path == "/srv/tv"


def test_root_mapping_covers_everything() -> None:
    assert (
        apply([make_mapping("/", "/mnt/plexhost")], "/data/a.mkv").path
        == "/mnt/plexhost/data/a.mkv"
    )
    assert apply([make_mapping("/data", "/")], "/data/a.mkv").path == "/a.mkv"


def test_windows_server_paths_map_case_insensitively_with_forward_slashes() -> None:
    mappings = [parse_mapping(r"D:\Media\TV=/mnt/tv")]
    mapped = apply(mappings, r"d:\media\tv\Show (1998)\Season 01\ep.mkv")
    assert mapped.path == "/mnt/tv/Show (1998)/Season 01/ep.mkv"
    assert apply(mappings, r"D:\Media\TVShows\x.mkv").path is None


def test_trailing_slashes_are_ignored() -> None:
    mapping = parse_mapping("/data/tv/=/srv/tv/")
    assert mapping == Mapping("/data/tv", "/srv/tv")
    assert apply([mapping], "/data/tv/a.mkv").path == "/srv/tv/a.mkv"


def test_no_mappings_means_nothing_is_covered() -> None:
    result = apply([], "/data/tv/a.mkv")
    assert result.path is None
    assert result.reason is not None
    assert "source map add" in result.reason
    assert unmapped([Mapping("/data/tv", "/x")], ["/data/tv/a", "/data/movies/b"]) == [
        "/data/movies/b"
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("/data/tv", "expected FROM=TO"),
        ("=/srv", "both sides"),
        ("/data=", "both sides"),
        ("data/tv=/srv", "absolute path"),
        ("/data=srv/tv", "absolute local path"),
    ],
)
def test_bad_mappings_are_one_line_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_mapping(text)
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message


def test_equals_sign_in_target_is_kept() -> None:
    assert parse_mapping("/data=/mnt/a=b").to_prefix == "/mnt/a=b"


def test_playable_path_leaves_filesystem_paths_alone() -> None:
    assert playable_path("filesystem", [], "/media/a.mkv").path == "/media/a.mkv"
    assert playable_path("plex", [], "/media/a.mkv").path is None
    assert playable_path("plex", [Mapping("/media", "/m")], "/media/a.mkv").path == "/m/a.mkv"
