"""The M3U channel list (pure)."""

from __future__ import annotations

import re

from retrovue.guide.m3u import render_m3u
from retrovue.guide.model import GuideChannel, xmltv_channel_id

CHANNELS = (
    GuideChannel(id=1, number="2", name="Retro Two"),
    GuideChannel(id=2, number="2.1", name='Odd "Name", with\ncomma'),
)


def test_header_points_at_the_xmltv_guide() -> None:
    text = render_m3u(CHANNELS, base_url="http://192.168.1.5:5004/")
    assert text.splitlines()[0] == '#EXTM3U url-tvg="http://192.168.1.5:5004/xmltv.xml"'


def test_each_channel_has_extinf_and_stream_url_with_ids_matching_xmltv() -> None:
    text = render_m3u(
        CHANNELS,
        base_url="http://10.0.0.2:5004",
        logo_urls={"2": "http://10.0.0.2:5004/guide/logo/2"},
        group_title="My Station",
    )
    lines = text.splitlines()
    assert len(lines) == 1 + 2 * len(CHANNELS)
    first = lines[1]
    assert first == (
        '#EXTINF:-1 tvg-id="2.retrovue" tvg-name="Retro Two" tvg-chno="2" '
        'tvg-logo="http://10.0.0.2:5004/guide/logo/2" channel-id="2" channel-number="2" '
        'group-title="My Station",Retro Two'
    )
    assert lines[2] == "http://10.0.0.2:5004/auto/v2"
    assert lines[4] == "http://10.0.0.2:5004/auto/v2.1"
    for channel, extinf in zip(CHANNELS, lines[1::2], strict=True):
        match = re.search(r'tvg-id="([^"]*)"', extinf)
        assert match is not None
        assert match.group(1) == xmltv_channel_id(channel.number)


def test_hostile_names_cannot_break_the_line_structure() -> None:
    extinf = render_m3u(CHANNELS, base_url="http://h:1").splitlines()[3]
    attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', extinf))
    assert attrs["tvg-name"] == "Odd 'Name', with comma"
    assert attrs["tvg-chno"] == "2.1"
    assert extinf.rsplit(",", 1)[1] == 'Odd "Name"  with comma'
