"""Subtitle sources: sidecars found next to a media file, and which one a channel shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrovue.library.subtitles import (
    caption_sources,
    choose_caption,
    language_key,
    sidecar_files,
)
from retrovue.testing.media import MediaSpec, make_media
from tests.conftest import CliRunner

MEDIA = Path("/tv/Show/Season 01/Show - S01E01.mkv")


def test_sidecars_belong_to_their_file_with_language_and_flags() -> None:
    names = [
        "Show - S01E01.mkv", "Show - S01E01.en.srt", "Show - S01E01.SRT",
        "Show - S01E01.de.forced.ass", "Show - S01E01.eng.sdh.vtt", "Show - S01E01.fr.ssa",
        "Show - S01E01.part2.srt", "Show - S01E010.srt", "Show - S01E02.en.srt",
        "Show - S01E01.en.txt", "Show - S01E01.nfo",
    ]  # fmt: skip
    found = {Path(f["path"]).name: (f["format"], f["language"], f["forced"])
             for f in sidecar_files(MEDIA, names)}  # fmt: skip
    assert found == {
        "Show - S01E01.en.srt": ("srt", "en", False),
        "Show - S01E01.SRT": ("srt", None, False),
        "Show - S01E01.de.forced.ass": ("ass", "de", True),
        "Show - S01E01.eng.sdh.vtt": ("vtt", "eng", False),
        "Show - S01E01.fr.ssa": ("ssa", "fr", False),
    }
    assert all(Path(f["path"]).parent == MEDIA.parent for f in sidecar_files(MEDIA, names))


def test_language_codes_of_one_language_match() -> None:
    assert language_key("eng") == language_key("en") == language_key("en-US") == "en"
    assert language_key("ger") == language_key("deu") == "de"
    assert language_key("tlh") == "tlh"
    assert language_key(None) is None


SIDECARS = [
    {"path": "/x/a.de.forced.srt", "format": "srt", "language": "de", "forced": True},
    {"path": "/x/a.fr.srt", "format": "srt", "language": "fr"},
]
TRACKS = [
    {"index": 2, "codec": "hdmv_pgs_subtitle", "language": "eng"},  # a picture: never captions
    {"index": 3, "codec": "subrip", "language": "eng"},
    {"index": 4, "codec": "ass", "language": "deu"},
]


def _chosen(setting: str | None, audio: str | None, closed: bool = False) -> object:
    chosen = choose_caption(caption_sources(SIDECARS, TRACKS, closed), setting, audio)
    return None if chosen is None else chosen.get("path") or chosen.get("index") or chosen["kind"]


def test_the_channel_setting_picks_the_track() -> None:
    assert _chosen("fr", "de") == "/x/a.fr.srt"  # the setting's language
    assert _chosen(None, "ger") == 4  # unset: the audio language (a full track before forced)
    assert _chosen(None, "ita") == 3  # then English
    assert _chosen(None, None) == 3
    assert _chosen("off", "en") is None
    assert _chosen("ja", None) == "/x/a.fr.srt"  # no such language: the first (full) source
    assert [s["kind"] for s in caption_sources([], TRACKS, True)] == ["embedded"] * 2 + ["a53"]
    assert choose_caption(caption_sources([], [], False), None, "en") is None


@pytest.fixture
def captioned_library(tmp_path: Path) -> Path:
    folder = tmp_path / "tv" / "Show" / "Season 01"
    make_media(folder / "Show - S01E01.mkv", MediaSpec(duration_s=1.0, width=160, height=90))
    (folder / "Show - S01E01.en.srt").write_text("1\n00:00:00,100 --> 00:00:00,900\nHi\n")
    return tmp_path / "tv"


def test_sync_lists_sidecars_and_finds_new_ones_without_a_probe(
    cli: CliRunner, db_url: str, captioned_library: Path
) -> None:
    cli.use_database(db_url)
    assert cli("source", "add", "filesystem", "tv", str(captioned_library)).code == 0
    assert cli("source", "sync", "tv").code == 0
    shown = cli("assets", "show", "1")
    assert shown.code == 0, shown.err
    assert "caption sidecar srt en (Show - S01E01.en.srt)" in shown.out
    sidecar = captioned_library / "Show" / "Season 01" / "Show - S01E01.de.forced.ass"
    sidecar.write_text("[Script Info]\n")
    summary = json.loads(cli("source", "sync", "tv", "--json").out)
    assert summary["updated"] == 1
    detail = json.loads(cli("assets", "show", "1", "--json").out)
    assert [(c["kind"], c["language"], c["forced"]) for c in detail["captions"]] == [
        ("sidecar", "de", True), ("sidecar", "en", False),
    ]  # fmt: skip


def test_the_channel_caption_setting_is_validated_and_kept(cli: CliRunner, db_url: str) -> None:
    cli.use_database(db_url)
    assert cli("channel", "add", "5", "Five", "--captions", "es").code == 0
    assert json.loads(cli("channel", "show", "5", "--json").out)["captions"] == "es"
    refused = cli("channel", "update", "5", "--captions", "english please")
    assert refused.code == 2
    assert refused.err.startswith("error: --captions:")
    assert refused.err.count("\n") == 1
    assert json.loads(cli("channel", "show", "5", "--json").out)["captions"] == "es"
    assert cli("channel", "update", "5", "--captions", "off").code == 0
    assert json.loads(cli("channel", "show", "5", "--json").out)["captions"] == "off"
    assert cli("channel", "update", "5", "--captions", "auto").code == 0
    assert json.loads(cli("channel", "show", "5", "--json").out)["captions"] == "auto"
    assert json.loads(cli("channel", "show", "5", "--json").out)["burn_subtitles"] == "off"
    assert cli("channel", "update", "5", "--burn-subtitles", "en").code == 0
    assert json.loads(cli("channel", "show", "5", "--json").out)["burn_subtitles"] == "en"
    refused = cli("channel", "update", "5", "--burn-subtitles", "??")
    assert refused.code == 2
    assert refused.err.startswith("error: --burn-subtitles:")
    assert cli("channel", "update", "5", "--burn-subtitles", "off").code == 0
    assert json.loads(cli("channel", "show", "5", "--json").out)["burn_subtitles"] == "off"
