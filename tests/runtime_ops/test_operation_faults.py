"""Faults while on air and play-time gating: a slate for the rest of the slot, the next programme
on time, the as-run log saying what happened.

Tests run as root, so ``chmod 000`` would not stop the reader: "made unreadable while on air" is
covered by a file that turns to garbage or is truncated under the open reader instead.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.producer import Producer
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime.helpers import TEST_PROFILE
from tests.runtime_ops.opskit import run_with_operation
from tests.runtime_ops.seed import add_asset, add_channel

FPS = TEST_PROFILE.fps
VICTIM_S = 4.0
NEXT_S = 1.0


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ops-media")
    return {
        "victim": make_media(
            folder / "victim.mp4", MediaSpec(duration_s=VICTIM_S, width=320, height=180, tag=11)
        ),
        "next": make_media(
            folder / "next.mp4", MediaSpec(duration_s=NEXT_S + 0.5, width=320, height=180, tag=12)
        ),
    }


def _truncate(path: Path) -> None:
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 5)


def _garble(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 5)
        file.write(bytes((i * 151 + 7) % 256 for i in range(size - size // 5)))


def _items(clock: FakeClock, victim: str, following: str) -> list[TimelineItem]:
    start = clock.now_utc()
    middle = start + timedelta(seconds=VICTIM_S)
    end = middle + timedelta(seconds=NEXT_S)
    return [
        TimelineItem(start, middle, "programme", "Victim", victim, event_id=1),
        TimelineItem(middle, end, "programme", "Next", following, event_id=2),
    ]


FRAMES = round((VICTIM_S + NEXT_S) * FPS)
NEXT_FRAME = round(VICTIM_S * FPS)


@pytest.mark.parametrize("fault", ["truncated", "garbage", "missing", "removed"])
def test_a_fault_on_air_gives_a_slate_and_the_next_programme_starts_on_time(
    fault: str, media: dict[str, Path], sqlite_db: Database, tmp_path: Path
) -> None:
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "9", at_utc=clock.now_utc())
    victim = tmp_path / "victim.mp4"
    if fault != "missing":
        victim.write_bytes(media["victim"].read_bytes())
    action = {"truncated": lambda: _truncate(victim), "garbage": lambda: _garble(victim)}.get(
        fault, lambda: None
    )

    def remove_once_on_air(producer: Producer) -> None:  # its pictures go out: the file is open
        if fault == "removed" and producer.frames_out >= 1 and victim.exists():
            os.remove(victim)

    items = _items(clock, str(victim), str(media["next"]))
    run = run_with_operation(
        sqlite_db, clock, channel_id, items, frames=FRAMES, actions={"Victim": action},
        on_frame=remove_once_on_air,
    )  # fmt: skip
    assert run.report.errors == []
    assert run.report.video_frames == FRAMES
    # the next programme starts on the exact frame, from its first frame
    assert run.codes[NEXT_FRAME] == (12, 0)
    assert all(code[0] == 12 for code in run.codes[NEXT_FRAME:])
    rows = run.rows
    assert [r.title for r in rows] == ["Victim", "Next"]
    assert rows[1].status == "cut"  # the producer stopped in it (max_frames)
    assert rows[1].actual_start_utc == items[1].start_utc
    victim_row = rows[0]
    assert victim_row.actual_end_utc == items[1].start_utc
    victim_frames = run.codes[:NEXT_FRAME]
    if fault == "removed":  # an open file survives its unlinking (POSIX): it plays to the end
        assert not victim.exists()
        assert victim_row.status == "aired"
        assert all(code[0] == 11 for code in victim_frames)
        return
    assert victim_row.status == "failed"
    assert victim_row.error
    assert "victim.mp4" in victim_row.error
    assert run.producer.faults == 1
    # the technical-difficulties slate fills the rest of the slot
    assert all(code[0] != 11 for code in victim_frames[-round(FPS) :])
    if fault == "missing":
        assert all(code[0] != 11 for code in victim_frames)


def test_an_asset_revoked_before_its_slot_is_refused_at_play_time(
    media: dict[str, Path], sqlite_db: Database
) -> None:
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "9", at_utc=clock.now_utc())
    asset_id = add_asset(sqlite_db, "Revoked", at_utc=clock.now_utc(), path=str(media["victim"]))
    with sqlite_db.transaction() as session:
        session.execute(
            update(CatalogAsset).where(CatalogAsset.id == asset_id).values(canonical=False)
        )
    start = clock.now_utc()
    items = [
        TimelineItem(start, start + timedelta(seconds=1), "programme", "Revoked",
                     str(media["victim"]), catalog_asset_id=asset_id),
        TimelineItem(start + timedelta(seconds=1), start + timedelta(seconds=2), "programme",
                     "Next", str(media["next"])),
    ]  # fmt: skip
    run = run_with_operation(sqlite_db, clock, channel_id, items, frames=round(2 * FPS))
    assert run.report.errors == []
    assert all(code[0] != 11 for code in run.codes[: round(FPS)])  # never the refused file
    assert run.codes[round(FPS)] == (12, 0)
    refused, slate, following = run.rows
    assert (refused.title, refused.status, refused.catalog_asset_id) == (
        "Revoked",
        "failed",
        asset_id,
    )
    assert refused.error is not None
    assert "not canonical" in refused.error
    assert (slate.kind, slate.title, slate.status) == ("slate", "Not aired: Revoked", "aired")
    assert slate.actual_end_utc == items[1].start_utc
    assert following.title == "Next"
    with sqlite_db.transaction() as session:  # the runtime never writes configuration
        asset = session.get(CatalogAsset, asset_id)
        assert asset is not None
        assert (asset.canonical, asset.available) == (False, True)


def test_an_asset_revoked_after_its_file_was_opened_ahead_is_refused_at_the_boundary(
    media: dict[str, Path], sqlite_db: Database
) -> None:
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "9", at_utc=clock.now_utc())
    asset_id = add_asset(sqlite_db, "Late", at_utc=clock.now_utc(), path=str(media["victim"]))
    start = clock.now_utc()
    items = [
        TimelineItem(start, start + timedelta(seconds=2), "programme", "Opening",
                     str(media["next"])),
        TimelineItem(start + timedelta(seconds=2), start + timedelta(seconds=3), "programme",
                     "Late", str(media["victim"]), catalog_asset_id=asset_id),
    ]  # fmt: skip
    revoked: list[int] = []

    def revoke(producer: Producer) -> None:  # 1 s in: "Late" was opened ahead (PREFETCH_S)
        if producer.frames_out >= FPS and not revoked:
            assert producer.next_play is not None
            assert producer.next_play.item.title == "Late"
            revoked.append(producer.frames_out)
            with sqlite_db.transaction() as session:
                session.execute(
                    update(CatalogAsset).where(CatalogAsset.id == asset_id).values(available=False)
                )

    run = run_with_operation(
        sqlite_db, clock, channel_id, items, frames=round(3 * FPS), on_frame=revoke
    )
    assert revoked
    assert run.report.errors == []
    assert all(code[0] != 11 for code in run.codes[round(2 * FPS) :])  # never the revoked file
    titles = [(r.title, r.status) for r in run.rows]
    assert titles[:3] == [("Opening", "aired"), ("Late", "failed"), ("Not aired: Late", "cut")]
    assert run.rows[1].error is not None
    assert "not available" in run.rows[1].error
