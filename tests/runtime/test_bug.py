"""The station bug: drawn on programme pictures in its corner, not on breaks nor slates."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import av
import pytest

from retrovue.clock import FakeClock
from retrovue.runtime.encode.bug import bug_picture, corner, make_overlay
from retrovue.runtime.playout.channel import BugSpec
from retrovue.runtime.playout.timeline import TimelineItem, back_to_back
from tests.runtime.conftest import Clip
from tests.runtime.helpers import TEST_PROFILE, Aired, run_producer

FPS = TEST_PROFILE.fps
PLATE = BugSpec(None, "RV9", "bottom-right", size_pct=25, opacity=1.0)


def _png(path: Path, width: int, height: int, alpha: int) -> Path:
    """A red PNG with the given alpha everywhere."""
    frame = av.VideoFrame(width, height, "rgba")
    frame.planes[0].update(bytes((255, 0, 0, alpha)) * (frame.planes[0].buffer_size // 4))
    codec = av.CodecContext.create("png", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "rgba"
    path.write_bytes(b"".join(bytes(packet) for packet in codec.encode(frame)))
    return path


def _corners(aired: Aired, spec: BugSpec) -> list[bytes]:
    """The luma of the bug's corner in every output frame."""
    width, height = TEST_PROFILE.width, TEST_PROFILE.height
    bug = bug_picture(spec, height)
    x, y = corner(spec, (width, height), (bug.width, bug.height))
    corners = []
    with av.open(BytesIO(aired.ts), format="mpegts") as container:
        for frame in container.decode(video=0):
            gray = frame.reformat(format="gray")
            stride, data = gray.planes[0].line_size, bytes(gray.planes[0])
            corners.append(b"".join(
                data[row * stride + x : row * stride + x + bug.width]
                for row in range(y, y + bug.height)
            ))  # fmt: skip
    return corners


def _differences(marked: Aired, plain: Aired, spec: BugSpec) -> list[float]:
    """Per frame, the mean absolute luma difference in the bug's corner between two runs."""
    return [
        sum(abs(p - q) for p, q in zip(a, b, strict=True)) / len(a)
        for a, b in zip(_corners(marked, spec), _corners(plain, spec), strict=True)
    ]


@pytest.fixture(scope="module")
def plan(clips: dict[str, Clip]) -> list[TimelineItem]:
    show, spot = clips["mp4"].path, clips["mkv_bframes"].path
    items = back_to_back(
        FakeClock().now_utc(), [(show, 1.0, 0.0), (spot, 1.0, 0.0), (None, 1.0, 0)]
    )
    return [items[0], TimelineItem(**{**items[1].__dict__, "kind": "filler"}), items[2]]


def test_the_bug_is_on_programmes_only_by_default(plan: list[TimelineItem]) -> None:
    with_bug = run_producer(plan, FakeClock(plan[0].start_utc), frames=3 * FPS, bug=PLATE)
    without = run_producer(plan, FakeClock(plan[0].start_utc), frames=3 * FPS)
    assert with_bug.report.errors == []
    differences = _differences(with_bug, without, PLATE)
    assert min(differences[3 : FPS - 3]) > 20  # the plate and its letters on the programme
    assert max(differences[FPS + 5 :]) < 4  # not on the spot, not on the slate
    assert with_bug.codes[:FPS] == without.codes[:FPS]  # the programme's picture is intact


def test_in_breaks_the_bug_stays_on_spots_but_never_on_slates(plan: list[TimelineItem]) -> None:
    spec = BugSpec(None, "RV9", "bottom-right", size_pct=25, opacity=1.0, in_breaks=True)
    marked = run_producer(plan, FakeClock(plan[0].start_utc), frames=3 * FPS, bug=spec)
    plain = run_producer(plan, FakeClock(plan[0].start_utc), frames=3 * FPS)
    differences = _differences(marked, plain, spec)
    assert min(differences[FPS + 3 : 2 * FPS - 3]) > 20  # on the spot too
    assert max(differences[2 * FPS + 5 :]) < 4  # never on a slate


def test_an_image_bug_keeps_its_alpha_times_the_opacity(tmp_path: Path) -> None:
    path = _png(tmp_path / "logo.png", 80, 40, alpha=200)
    picture = bug_picture(BugSpec(str(path), "", size_pct=20, opacity=0.5), 720)
    assert (picture.width, picture.height) == (288, 144)  # 20 % of 720, aspect kept
    pixels = bytes(picture.planes[0])
    assert pixels[0:4] == bytes((255, 0, 0, 100))
    assert corner(BugSpec(str(path), "", position="top-left"), (1280, 720), (288, 144)) == (28, 28)


def test_a_bug_that_cannot_be_drawn_leaves_the_channel_on_air_without_it(tmp_path: Path) -> None:
    broken = tmp_path / "gone.png"
    broken.write_bytes(b"not an image")
    assert make_overlay(BugSpec(str(broken), ""), 256, 144, 30) is None
    assert make_overlay(None, 256, 144, 30) is None
    assert make_overlay(PLATE, 256, 144, 30) is not None
