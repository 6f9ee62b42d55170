"""``retrovue source add jellyfin|emby`` / ``source sync`` / ``source map`` through the real CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrovue.testing.fake_jellyfin import BackgroundServer, FakeJellyfin
from tests.conftest import CliResult, CliRunner
from tests.library.jellyfin_support import KEY
from tests.library.plex_support import closed_port_url

PASSWORD = "s3cret-pass"


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(FakeJellyfin(key=KEY)) as running:
        yield running


class Recorder:
    """Runs commands and keeps every output, to check no secret appears in any of them."""

    def __init__(self, cli: CliRunner) -> None:
        self.cli = cli
        self.seen: list[str] = []

    def __call__(self, *args: str) -> CliResult:
        result = self.cli(*args)
        self.seen += [result.out, result.err]
        return result

    def add(self, url: str, *extra: str, kind: str = "jellyfin", name: str = "den") -> CliResult:
        return self("source", "add", kind, name, "--url", url, "--timeout", "0.5", *extra)


@pytest.fixture
def run(cli: CliRunner, caplog: pytest.LogCaptureFixture) -> Iterator[Recorder]:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(cli)
    yield recorder
    for text in [*recorder.seen, caplog.text]:
        assert KEY not in text
        assert PASSWORD not in text


def _sources(run: Recorder) -> list[dict[str, object]]:
    result = run("source", "list", "--json")
    assert result.code == 0, result.err
    rows: list[dict[str, object]] = json.loads(result.out)
    return rows


def test_add_sync_list_and_map(run: Recorder, server: BackgroundServer, tmp_path: Path) -> None:
    added = run.add(
        server.url, "--api-key", KEY, "--library", "Shows", "--library", "films",
        "--map", f"/media={tmp_path}", "--tag", "retro",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert "added jellyfin source 'den'" in added.out
    assert "Den Jellyfin: 'Shows', 'Films'" in added.out
    assert "warning: no path mapping covers '/elsewhere'" in added.err
    (row,) = _sources(run)
    assert (row["kind"], row["location"], row["tags"]) == ("jellyfin", server.url, ["retro"])

    synced = run("source", "sync", "den", "--json")
    assert synced.code == 0, synced.err
    summary = json.loads(synced.out)
    assert (summary["added"], summary["failed"]) == (7, 0)

    assert run("source", "map", "add", "den", "/elsewhere", str(tmp_path)).code == 0
    assets = json.loads(run("assets", "list", "--source", "den", "--json").out)
    lost = next(a for a in assets if a["title"] == "Signal Lost")
    shown = json.loads(run("assets", "show", str(lost["id"]), "--json").out)
    assert shown["playable"] is True


def test_user_and_password_from_the_environment(
    run: Recorder, server: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JELLYFIN_PASSWORD", PASSWORD)
    added = run.add(server.url, "--user", "operator", "--library", "Bumpers", "--filler", "--json")
    assert added.code == 0, added.err
    shown = json.loads(added.out)
    assert (shown["server"], shown["libraries"], shown["filler"]) == (
        "Den Jellyfin",
        ["Bumpers"],
        True,
    )
    assert run("source", "sync", "den").code == 0
    assets = json.loads(run("assets", "list", "--json").out)
    assert [a["kind"] for a in assets] == ["filler"]


def test_emby_source(run: Recorder, tmp_path: Path) -> None:
    with BackgroundServer(FakeJellyfin(key=KEY, flavor="emby")) as emby:
        added = run.add(emby.url, "--api-key", KEY, "--map", f"/media={tmp_path}", kind="emby")
        assert added.code == 0, added.err
        assert "added emby source 'den'" in added.out
        assert run("source", "sync", "den").code == 0
    assert _sources(run)[0]["kind"] == "emby"


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("key", "refused the key (401 Unauthorized)"),
        ("password", "refused the user name or password (401)"),
        ("hang", "did not answer within 0.5 s (timeout)"),
        ("down", "is unreachable"),
        ("library", "has no library 'Cartoons'"),
        ("music", "library 'Music' holds music items"),
        ("both", "not both"),
        ("neither", "give --api-key, or --user and --password"),
        ("garbage", "cannot read (text/html, not JSON)"),
        ("url", "--url 'ftp://jellyfin.lan/': expected http://HOST:PORT"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(
    run: Recorder, server: BackgroundServer, case: str, fragment: str
) -> None:
    url, extra = server.url, ["--api-key", KEY]
    if case == "key":
        extra = ["--api-key", "wrong-" + KEY[::-1]]
    elif case == "password":
        extra = ["--user", "operator", "--password", "wrong-" + PASSWORD]
    elif case == "hang":
        server.app.hang = True
    elif case == "down":
        url = closed_port_url()
    elif case in ("library", "music"):
        extra += ["--library", "Cartoons" if case == "library" else "Music"]
    elif case == "both":
        extra += ["--user", "operator", "--password", PASSWORD]
    elif case == "neither":
        extra = []
    elif case == "url":
        url = f"ftp://user:{KEY}@jellyfin.lan/"
    else:
        server.app.garbage = True
    result = run.add(url, *extra)
    assert result.code == 2
    assert result.err.startswith("error: ")
    assert fragment in result.err
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert _sources(run) == []


def test_key_never_shown_when_a_sync_fails(
    run: Recorder, server: BackgroundServer, tmp_path: Path
) -> None:
    assert run.add(server.url, "--api-key", KEY, "--map", f"/media={tmp_path}").code == 0
    server.app.keys = {"rotated"}
    failed = run("source", "sync", "den")
    assert failed.code == 2
    assert "401" in failed.err
    assert run("--debug", "source", "list").code == 0
