"""The pages in a real browser: Debian's chromium, headless, driven by Playwright, against
``retrovue serve`` on loopback (a subprocess, as an operator runs it).

The guide shows the channel and the programme on now under the now line; the watch page's video
plays (its time advances, its picture is not black, its sound is decoded); an approval with the
operator password changes the asset and one without does not. With RETROVUE_WEB_SCREENSHOTS=DIR
the tests also save a screenshot of each page there (docs/web.md shows them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.migrate import ensure_current
from tests.web.station import build_station, make_library

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extras)")
pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt install chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Station:
    base: str
    data_dir: Path
    password: str
    pending_id: int

    def url(self, path: str) -> str:
        return self.base + path

    def json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url(path), timeout=10) as response:
            return json.loads(response.read())


def _wait_up(url: str, process: subprocess.Popen[bytes], patience_s: float = 60.0) -> None:
    clock = SystemClock()
    deadline_s = clock.monotonic_s() + patience_s
    while clock.monotonic_s() < deadline_s:
        if process.poll() is not None:
            raise RuntimeError(f"retrovue serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer")


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    data_dir = tmp_path_factory.mktemp("web-serve")
    database = Database(f"sqlite:///{data_dir / 'retrovue.db'}")
    ensure_current(database)
    built = build_station(database, SystemClock(), make_library(data_dir / "media"))
    database.dispose()
    port = _free_port()
    command = [
        sys.executable, "-m", "retrovue", "serve", "--host", "127.0.0.1",
        "--advertise", "127.0.0.1", "--port", str(port), "--api-port", str(port),
        "--no-udp", "--no-ssdp", "--no-mdns",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETROVUE_")}
    env |= {"RETROVUE_DATA_DIR": str(data_dir), "RETROVUE_X264_PRESET": "ultrafast"}
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_up(f"http://127.0.0.1:{port}/api/v1/health", process)
            found = re.search(r"operator   password (\S+)", log_path.read_text())
            assert found, "serve did not show the generated operator password"
            yield Station(f"http://127.0.0.1:{port}", data_dir, found[1], built.pending_id)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    output = log_path.read_text(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


@pytest.fixture(scope="module")
def browser(station: Station) -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()


def _screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("RETROVUE_WEB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_guide_shows_the_programme_on_now_under_the_now_line(station: Station, page: Any) -> None:
    before = station.json("/api/v1/on-now")["channels"][0]["now"]
    page.goto(station.url("/guide"))
    after = station.json("/api/v1/on-now")["channels"][0]["now"]
    row = page.locator('.grid-row[data-channel="7"]')
    assert "Web Seven" in row.locator(".chan-head").inner_text()
    current = row.locator(".prog.on-now")
    assert current.count() == 1
    assert "Test Show" in current.inner_text()
    line = row.locator(".now-line").bounding_box()
    cell = current.bounding_box()
    assert cell["x"] <= line["x"] <= cell["x"] + cell["width"]
    on_air = {
        (datetime.fromisoformat(p["start_utc"]), datetime.fromisoformat(p["end_utc"]))
        for p in (before, after)
    }  # the same programme, unless one ended while the page was rendered
    start, stop = current.get_attribute("data-start"), current.get_attribute("data-stop")
    assert start is not None
    assert stop is not None
    # The grid folds a programme that runs across the broadcast day's start (06:00) into one
    # cell; on-now answers with its part in the day on air: the same start, an earlier end.
    cell_span = (datetime.fromisoformat(start), datetime.fromisoformat(stop))
    assert any(cell_span[0] == s and cell_span[1] >= e for s, e in on_air), (cell_span, on_air)
    current.locator("summary").click()
    assert current.locator(".more").is_visible()
    _screenshot(page, "guide")
    page.goto(station.url("/"))
    assert "Test Show" in page.locator('.card[data-channel="7"]').inner_text()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    _screenshot(page, "on-now")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    _screenshot(page, "on-now-phone")
    page.goto(station.url("/guide"))
    _screenshot(page, "guide-phone")


def test_watch_page_plays_picture_and_sound(station: Station, page: Any) -> None:
    page.goto(station.url("/watch/7"))
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 1.0", timeout=60_000
    )
    first = page.evaluate("document.getElementById('player').currentTime")
    page.wait_for_timeout(1500)
    later = page.evaluate("document.getElementById('player').currentTime")
    assert later > first + 0.5
    luma = page.evaluate(
        """() => {
            const video = document.getElementById('player');
            const canvas = document.createElement('canvas');
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            const g = canvas.getContext('2d');
            g.drawImage(video, 0, 0);
            const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
            let sum = 0;
            for (let i = 0; i < d.length; i += 4) {
                sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
            }
            return sum / (d.length / 4);
        }"""
    )
    assert luma > 20, luma
    assert page.evaluate("document.getElementById('player').webkitAudioDecodedByteCount") > 0
    viewers = station.json("/api/v1/on-now")
    assert viewers["channels"][0]["viewers"] == 1
    assert viewers["tuners_in_use"] == 0
    _screenshot(page, "watch")
    aired = station.json("/api/v1/as-run?channel=7")["entries"]
    assert any(e["status"] == "playing" and "Test Show" in e["title"] for e in aired), aired
    page.goto(station.url("/as-run?channel=7"))
    assert "Test Show" in page.locator("table.asrun").inner_text()


def test_approval_needs_the_operator_password(station: Station, page: Any) -> None:
    asset = station.pending_id
    refused = page.request.post(station.url(f"/review/{asset}/approve"), form={"csrf": "x"})
    assert refused.status == 401
    assert station.json(f"/api/v1/assets/{asset}")["asset"]["state"] == "pending"
    page.goto(station.url("/review"))
    assert page.locator(f'.asset[data-asset="{asset}"]').count() == 1
    assert page.locator("button", has_text="Approve").count() == 0
    page.click("text=Sign in")
    page.fill('input[name="password"]', "not the password")
    page.click('button[type="submit"]')
    assert "wrong password" in page.locator(".error").inner_text()
    page.fill('input[name="password"]', station.password)
    page.click('button[type="submit"]')
    page.wait_for_url("**/review*")
    _screenshot(page, "review")
    page.locator(f'.asset[data-asset="{asset}"]').locator("button", has_text="Approve").click()
    page.wait_for_url("**/review?*done=*")
    assert f"approved {asset}" in page.locator(".done").inner_text()
    assert station.json(f"/api/v1/assets/{asset}")["asset"]["state"] == "approved"
    for name in ("as-run", "health"):
        page.goto(station.url(f"/{name}"))
        _screenshot(page, name)


def test_chromium_is_the_system_one() -> None:
    assert shutil.which("chromium") == str(CHROMIUM)
