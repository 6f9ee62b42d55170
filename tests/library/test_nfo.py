"""Kodi .nfo sidecars read with lxml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from retrovue.library.nfo import parse_nfo, read_nfo


def test_episode_nfo_fields() -> None:
    info = parse_nfo(
        b"""<?xml version="1.0" encoding="UTF-8"?>
        <episodedetails><title>Pilot</title><showtitle>The Show</showtitle>
        <plot>It starts.</plot><genre>Comedy / Drama</genre><genre>Drama</genre>
        <aired>2005-09-01</aired><season>1</season><episode>3</episode>
        <mpaa>US:TV-PG</mpaa><rating>8.1</rating></episodedetails>"""
    )
    assert info is not None
    assert info.title == "Pilot"
    assert info.show_title == "The Show"
    assert info.plot == "It starts."
    assert info.genres == ("Comedy", "Drama")
    assert info.aired_date == date(2005, 9, 1)
    assert info.year == 2005
    assert (info.season, info.episode) == (1, 3)
    assert info.content_rating == "TV-PG"


def test_textual_rating_is_a_content_rating_numeric_is_not() -> None:
    textual = parse_nfo(b"<movie><title>X</title><rating>PG-13</rating></movie>")
    numeric = parse_nfo(b"<movie><title>X</title><rating>7.5</rating></movie>")
    assert textual is not None
    assert textual.content_rating == "PG-13"
    assert numeric is not None
    assert numeric.content_rating is None


def test_not_xml_yields_none(tmp_path: Path) -> None:
    url_only = tmp_path / "a.nfo"
    url_only.write_text("https://www.themoviedb.org/movie/348\n")
    broken = tmp_path / "b.nfo"
    broken.write_text("<movie><title>unterminated")
    assert read_nfo(url_only) is None
    assert read_nfo(broken) is None
    assert read_nfo(tmp_path / "missing.nfo") is None


def test_entities_are_not_expanded() -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <movie><title>&x;</title></movie>"""
    info = parse_nfo(evil)
    assert info is None or "root:" not in (info.title or "")
