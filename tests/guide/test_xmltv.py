"""XMLTV rendering (pure): DTD order, text hygiene, times, ids, and the Debian validator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from lxml import etree

from retrovue.guide.entries import build_entries
from retrovue.guide.model import (
    GuideAsset,
    GuideChannel,
    GuideEntry,
    GuideEvent,
    GuideProgramme,
    GuideSnapshot,
)
from retrovue.guide.text import clean_line, clean_xml_text
from retrovue.guide.xmltv import render_xmltv, xmltv_time
from tests.guide.helpers import validate_xmltv

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOSTILE = "Tom & Jerry <b>bold</b> ]]> \x00\x01\x1f\ufffe 📺 日本語 " + "long " * 300
CHANNELS = (
    GuideChannel(id=1, number="2", name="Retro & <Two>", logo="https://x/2.png"),
    GuideChannel(id=2, number="2.1", name=HOSTILE),
    GuideChannel(id=3, number="10", name="Empty Ten"),
)
FULL = GuideProgramme(
    title="Show & <Tell>",
    sub_title="Part \x07One 🎬",
    desc="Line one\nline two & <three>\x0b",
    date="19940922",
    categories=("Series", "Comedy"),
    length_s=1320,
    icon_url="https://art/1.jpg?a=1&b=2",
    episode_ns="0.1.",
    episode_onscreen="S01E02",
    rating="TV-PG",
    rating_system="VCHIP",
    new=False,
)


def test_times_are_utc_with_offset() -> None:
    assert xmltv_time(datetime(2026, 1, 5, 6, 7, 8, tzinfo=UTC)) == "20260105060708 +0000"
    plus_two = datetime(2026, 1, 5, 10, 7, 8, tzinfo=timezone(timedelta(hours=2)))
    assert xmltv_time(plus_two) == "20260105080708 +0000"


def test_text_cleaning_keeps_everything_xml_allows() -> None:
    assert clean_xml_text("a\x00b\x1f\tc\nd&<>\"'😀\ufffe\ud800") == "ab\tc\nd&<>\"'😀"
    assert clean_line(" a\r\nb\tc ") == "a b c"


def test_programme_children_follow_dtd_order_and_text_survives_escaping() -> None:
    entry = GuideEntry("2.retrovue", T0, T0 + timedelta(minutes=30), FULL)
    doc = etree.fromstring(render_xmltv(CHANNELS[:1], [entry]))
    programme = doc.find("programme")
    assert programme is not None
    assert [child.tag for child in programme] == [
        "title",
        "sub-title",
        "desc",
        "date",
        "category",
        "category",
        "length",
        "icon",
        "episode-num",
        "episode-num",
        "previously-shown",
        "rating",
    ]
    assert programme.get("start") == "20260302120000 +0000"
    assert programme.get("stop") == "20260302123000 +0000"
    assert programme.get("channel") == "2.retrovue"
    assert programme.findtext("title") == "Show & <Tell>"
    assert programme.findtext("sub-title") == "Part One 🎬"
    assert programme.findtext("desc") == "Line one\nline two & <three>"
    length = programme.find("length")
    assert length is not None
    assert (length.get("units"), length.text) == ("minutes", "22")
    assert [e.get("system") for e in programme.findall("episode-num")] == ["xmltv_ns", "onscreen"]
    assert programme.findtext("rating/value") == "TV-PG"
    icon = programme.find("icon")
    assert icon is not None
    assert icon.get("src") == "https://art/1.jpg?a=1&b=2"


def test_channels_carry_three_display_names_and_icon() -> None:
    doc = etree.fromstring(render_xmltv(CHANNELS, [], logo_urls={"2": "http://h/logo/2"}))
    channels = doc.findall("channel")
    assert [c.get("id") for c in channels] == ["2.retrovue", "2.1.retrovue", "10.retrovue"]
    assert [d.text for d in channels[0].findall("display-name")] == [
        "2 Retro & <Two>",
        "2",
        "Retro & <Two>",
    ]
    icon = channels[0].find("icon")
    assert icon is not None
    assert icon.get("src") == "http://h/logo/2"
    assert channels[1].find("icon") is None
    names = [d.text or "" for d in channels[1].findall("display-name")]
    assert names[1] == "2.1"
    assert "\x00" not in names[2]
    assert names[2].startswith("Tom & Jerry <b>bold</b> ]]>")
    assert "📺 日本語" in names[2]


def test_new_and_previously_shown_are_exclusive() -> None:
    entries = [
        GuideEntry("2.retrovue", T0, T0 + timedelta(minutes=30), GuideProgramme("A", new=True)),
        GuideEntry("2.retrovue", T0, T0 + timedelta(minutes=30), GuideProgramme("B", new=False)),
        GuideEntry("2.retrovue", T0, T0 + timedelta(minutes=30), GuideProgramme("C")),
    ]
    doc = etree.fromstring(render_xmltv(CHANNELS[:1], entries))
    shown = [
        (p.find("new") is not None, p.find("previously-shown") is not None)
        for p in doc.findall("programme")
    ]
    assert shown == [(True, False), (False, True), (False, False)]


def test_repeated_programmes_render_identically() -> None:
    entries = [
        GuideEntry("2.retrovue", T0 + timedelta(hours=i), T0 + timedelta(hours=i + 1), FULL)
        for i in range(3)
    ]
    doc = etree.fromstring(render_xmltv(CHANNELS[:1], entries))
    programmes = doc.findall("programme")
    assert len(programmes) == 3
    bodies = {etree.tostring(p).split(b">", 1)[1] for p in programmes}
    assert len(bodies) == 1
    assert [p.get("start") for p in programmes] == [
        "20260302120000 +0000",
        "20260302130000 +0000",
        "20260302140000 +0000",
    ]


def _hostile_snapshot() -> GuideSnapshot:
    assets = {
        1: GuideAsset(1, "episode", genres=("Comedy", "Drama & <Crime>"), content_rating="TV-14"),
        2: GuideAsset(2, "movie", year=1984, genres=("Sci-Fi",), artwork_url="https://a/2.jpg"),
        3: GuideAsset(3, "other", file_path="/media/Some \x01Clip.mkv"),
    }
    events: list[GuideEvent] = []
    for channel in CHANNELS[:2]:
        cursor = T0
        for i in range(30):
            asset = 1 + i % 3
            end = cursor + timedelta(minutes=22 if asset == 1 else 50)
            events.append(
                GuideEvent(
                    channel.id,
                    "programme",
                    cursor,
                    end,
                    HOSTILE if i % 2 else "",
                    episode_title=HOSTILE if asset == 1 else None,
                    series_title="Series & <Co> 📺" if asset == 1 else None,
                    season=1 if asset == 1 else None,
                    episode=i if asset == 1 else None,
                    description=HOSTILE,
                    catalog_asset_id=asset,
                )
            )
            slot_end = cursor + timedelta(minutes=30 if asset == 1 else 60)
            events.append(GuideEvent(channel.id, "filler", end, slot_end, "Bumper \x02"))
            cursor = slot_end
        events.append(
            GuideEvent(channel.id, "slate", cursor, cursor + timedelta(hours=9), "Off <Air> &")
        )
    return GuideSnapshot(
        window_start_utc=T0,
        window_end_utc=T0 + timedelta(days=2),
        channels=CHANNELS,
        events=tuple(sorted(events, key=lambda e: (e.channel_id, e.start_utc))),
        assets=assets,
        first_aired_utc={(1, 2): T0 - timedelta(days=3)},
    )


def test_hostile_multichannel_guide_passes_the_xmltv_validator(tmp_path: Path) -> None:
    snapshot = _hostile_snapshot()
    document = render_xmltv(
        snapshot.channels, build_entries(snapshot), logo_urls={"2": "http://h/l?a=1&b=<2>"}
    )
    output = validate_xmltv(document, tmp_path)
    assert "Validated ok" in output, output
    doc = etree.fromstring(document)
    assert len(doc.findall("programme")) > 60
    assert doc.find("programme/episode-num") is not None


def test_validator_rejects_a_broken_order(tmp_path: Path) -> None:
    """The validator really checks the DTD order (so the test above can fail)."""
    broken = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n'
        b'<tv><channel id="1.x"><display-name>1</display-name></channel>'
        b'<programme start="20260101000000 +0000" channel="1.x"><desc>d</desc>'
        b"<title>t</title></programme></tv>\n"
    )
    assert "Validated ok" not in validate_xmltv(broken, tmp_path)


def test_aired_date_is_yyyymmdd() -> None:
    snapshot = GuideSnapshot(
        window_start_utc=T0,
        window_end_utc=T0 + timedelta(hours=1),
        channels=CHANNELS[:1],
        events=(GuideEvent(1, "programme", T0, T0 + timedelta(hours=1), "X", catalog_asset_id=1),),
        assets={1: GuideAsset(1, "episode", aired_date=date(2001, 2, 3))},
        first_aired_utc={},
    )
    doc = etree.fromstring(render_xmltv(snapshot.channels, build_entries(snapshot)))
    assert doc.findtext("programme/date") == "20010203"
