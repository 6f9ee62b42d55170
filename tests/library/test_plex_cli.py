"""``retrovue source add plex`` / ``source map`` / ``source sync`` through the real CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrovue.testing.fake_plex import FakePlexServer
from tests.conftest import CliResult, CliRunner
from tests.library.plex_support import PILOT, TOKEN, closed_port_url, local_copy, serve_fake_plex

TIMEOUT = "0.5"


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


class Recorder:
    """Runs commands and keeps every output, to check the token never appears in any of them."""

    def __init__(self, cli: CliRunner) -> None:
        self.cli = cli
        self.seen: list[str] = []

    def __call__(self, *args: str) -> CliResult:
        result = self.cli(*args)
        self.seen += [result.out, result.err]
        return result

    def add(self, url: str, *extra: str, token: str = TOKEN, name: str = "home") -> CliResult:
        return self(
            "source", "add", "plex", name, "--url", url, "--token", token, "--timeout", TIMEOUT,
            *extra,
        )  # fmt: skip


@pytest.fixture
def run(cli: CliRunner, caplog: pytest.LogCaptureFixture) -> Iterator[Recorder]:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(cli)
    yield recorder
    for text in [*recorder.seen, caplog.text]:
        assert TOKEN not in text


def _sources(run: Recorder) -> list[dict[str, object]]:
    result = run("source", "list", "--json")
    assert result.code == 0, result.err
    rows: list[dict[str, object]] = json.loads(result.out)
    return rows


def test_add_sync_and_list(run: Recorder, fake_plex: FakePlexServer, tmp_path: Path) -> None:
    local_copy(tmp_path, PILOT)
    added = run.add(
        fake_plex.url,
        "--library", "TV Shows", "--library", "Movies",
        "--map", f"/data/tv={tmp_path}/tv", "--map", f"/data/movies={tmp_path}/movies",
        "--tag", "retro",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert "'home'" in added.out
    assert "'TV Shows', 'Movies'" in added.out
    assert added.err == ""  # both libraries' folders are covered by a mapping

    table = run("source", "list")
    assert "home" in table.out
    assert fake_plex.url in table.out
    (row,) = _sources(run)
    assert (row["kind"], row["location"], row["tags"]) == ("plex", fake_plex.url, ["retro"])

    mappings = run("source", "map", "list", "home", "--json")
    assert json.loads(mappings.out) == [
        {"position": 0, "from": "/data/tv", "to": f"{tmp_path}/tv"},
        {"position": 1, "from": "/data/movies", "to": f"{tmp_path}/movies"},
    ]

    synced = run("source", "sync", "home", "--json")
    assert synced.code == 0, synced.err
    summary = json.loads(synced.out)
    assert (summary["added"], summary["failed"], summary["removed"]) == (11, 0, 0)
    again = run("source", "sync", "home")
    assert again.code == 0
    assert "unchanged" in again.out

    fake_plex.plex.remove(300)
    third = json.loads(run("source", "sync", "home", "--json").out)
    assert third["removed"] == 1


def test_unmapped_library_folder_is_warned_and_not_playable(
    run: Recorder, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    added = run.add(fake_plex.url, "--library", "Movies", "--map", f"/data/tv={tmp_path}")
    assert added.code == 0
    assert "warning: no path mapping covers '/data/movies'" in added.err
    assert run("source", "sync", "home").code == 0
    assets = json.loads(run("assets", "list", "--source", "home", "--json").out)
    signal = next(a for a in assets if a["title"] == "Signal Lost")
    shown = json.loads(run("assets", "show", str(signal["id"]), "--json").out)
    assert shown["playable"] is False
    assert "no path mapping covers" in shown["unplayable_reason"]
    refused = run("assets", "promote", str(signal["id"]))
    assert refused.code == 2
    assert "no path mapping covers" in refused.err

    assert run("source", "map", "add", "home", "/data/movies", str(tmp_path)).code == 0
    shown = json.loads(run("assets", "show", str(signal["id"]), "--json").out)
    assert shown["playable"] is True
    refused = run("assets", "promote", str(signal["id"]))
    assert refused.code == 2
    assert "does not exist" in refused.err  # mapped now, but the file is not on this host


def test_filler_library(run: Recorder, fake_plex: FakePlexServer, tmp_path: Path) -> None:
    added = run.add(
        fake_plex.url, "--library", "Bumpers", "--filler", "--tag", "ident",
        "--map", f"/data={tmp_path}", "--json",
    )  # fmt: skip
    assert added.code == 0, added.err
    shown = json.loads(added.out)
    assert (shown["server"], shown["libraries"], shown["filler"]) == (
        "Basement Plex",
        ["Bumpers"],
        True,
    )
    assert "token" not in json.dumps(shown)
    assert run("source", "sync", "home").code == 0
    assets = json.loads(run("assets", "list", "--json").out)
    assert {a["kind"] for a in assets} == {"filler"}
    assert len(assets) == 2


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("token", "refused the token (401 Unauthorized)"),
        ("hang", "did not answer within 0.5 s (timeout)"),
        ("down", "is unreachable"),
        ("library", "has no library 'Cartoons'"),
        ("map", "expected FROM=TO"),
        ("url", "expected http://HOST:PORT"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(
    run: Recorder, fake_plex: FakePlexServer, case: str, fragment: str
) -> None:
    url, token, extra = fake_plex.url, TOKEN, ["--library", "TV Shows"]
    if case == "token":
        token = "wrong-" + TOKEN[::-1]
    elif case == "hang":
        fake_plex.plex.hang = True
    elif case == "down":
        url = closed_port_url()
    elif case == "library":
        extra += ["--library", "Cartoons"]
    elif case == "map":
        extra += ["--map", "/data"]
    else:
        url = f"ftp://user:{TOKEN}@plex.lan/"
    result = run.add(url, *extra, token=token)
    assert result.code == 2
    assert result.err.startswith("error: ")
    assert fragment in result.err
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert _sources(run) == []


def test_token_never_shown_after_it_changes(
    run: Recorder, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    assert run.add(fake_plex.url, "--map", f"/data={tmp_path}").code == 0
    fake_plex.plex.token = "rotated"
    failed = run("source", "sync", "home")
    assert failed.code == 2
    assert "401" in failed.err
    fake_plex.plex.token = TOKEN
    fake_plex.plex.hang = True
    failed = run("source", "sync", "home", "--json")
    assert failed.code == 2
    assert "timeout" in failed.err
    assert run("--debug", "source", "list", "--json").code == 0


def test_map_commands(run: Recorder, fake_plex: FakePlexServer, tmp_path: Path) -> None:
    assert run.add(fake_plex.url, "--map", "/data=/srv/media").code == 0
    assert run("source", "map", "add", "home", "/data/tv", "/mnt/tv", "--position", "0").code == 0
    listing = run("source", "map", "list", "home")
    lines = listing.out.splitlines()
    assert lines[0].split() == ["POSITION", "FROM", "TO"]
    assert lines[1].split() == ["0", "/data/tv", "/mnt/tv"]
    duplicate = run("source", "map", "add", "home", "/data/tv/", "/elsewhere")
    assert duplicate.code == 2
    assert "already maps '/data/tv'" in duplicate.err
    assert run("source", "map", "remove", "home", "/data/tv").code == 0
    missing = run("source", "map", "remove", "home", "/data/tv")
    assert missing.code == 2
    assert "no path mapping from '/data/tv'" in missing.err
    assert run("source", "map", "list", "nowhere").code == 2
    relative = run("source", "map", "add", "home", "/x", "relative/path")
    assert relative.code == 2
    assert "absolute local path" in relative.err

    folder = tmp_path / "folder"
    folder.mkdir()
    assert run("source", "add", "filesystem", "files", str(folder)).code == 0
    wrong_kind = run("source", "map", "add", "files", "/a", "/b")
    assert wrong_kind.code == 2
    assert "belong to server sources" in wrong_kind.err


def test_token_from_the_environment(
    run: Recorder, fake_plex: FakePlexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLEX_TOKEN", TOKEN)
    result = run(
        "source", "add", "plex", "home", "--url", fake_plex.url, "--library", "Movies",
        "--map", "/=/", "--timeout", TIMEOUT,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(run("source", "map", "list", "home", "--json").out) == [
        {"position": 0, "from": "/", "to": "/"}
    ]


def test_webhook_command(run: Recorder, fake_plex: FakePlexServer, tmp_path: Path) -> None:
    assert run.add(fake_plex.url, "--map", f"/data={tmp_path}").code == 0
    first = run("source", "webhook", "home")
    assert first.code == 0, first.err
    assert "webhook for 'home': http://STATION-ADDRESS:5004/webhooks/plex/" in first.out
    second = run("source", "webhook", "home")
    assert second.out.split()[3] != first.out.split()[3]  # a new secret each time
    folder = tmp_path / "folder"
    folder.mkdir()
    assert run("source", "add", "filesystem", "files", str(folder)).code == 0
    refused = run("source", "webhook", "files")
    assert refused.code == 2
    assert "webhooks are Plex's" in refused.err
