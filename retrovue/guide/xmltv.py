"""XMLTV documents with lxml. Pure: values in, bytes out.

Child elements follow the order the XMLTV DTD fixes (``/usr/share/xmltv/xmltv.dtd``):
channel = display-name+, icon*; programme = title, sub-title, desc, date, category*, length,
icon, episode-num*, previously-shown?, new?, rating*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from lxml import etree

from retrovue.guide.model import GuideChannel, GuideEntry
from retrovue.guide.text import clean_line, clean_xml_text

GENERATOR_NAME = "RetroVue"
DOCTYPE = '<!DOCTYPE tv SYSTEM "xmltv.dtd">'


def xmltv_time(when_utc: datetime) -> str:
    """``YYYYMMDDHHMMSS +0000``."""
    return when_utc.astimezone(UTC).strftime("%Y%m%d%H%M%S +0000")


def render_xmltv(
    channels: Iterable[GuideChannel],
    entries: Iterable[GuideEntry],
    *,
    logo_urls: Mapping[str, str] | None = None,
    generator_url: str | None = None,
) -> bytes:
    """The whole document. ``logo_urls`` maps channel number to the icon URL clients fetch."""
    logos = logo_urls or {}
    root = etree.Element("tv", {"generator-info-name": GENERATOR_NAME})
    if generator_url:
        root.set("generator-info-url", clean_line(generator_url))
    for channel in channels:
        _channel(root, channel, logos.get(channel.number))
    times: dict[datetime, str] = {}
    for entry in entries:
        _programme(root, entry, times)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype=DOCTYPE)


def _channel(root: etree._Element, channel: GuideChannel, logo_url: str | None) -> None:
    element = etree.SubElement(root, "channel", {"id": clean_line(channel.xmltv_id)})
    number, name = clean_line(channel.number), clean_line(channel.name)
    for display in dict.fromkeys([f"{number} {name}".strip(), number, name]):
        if display:
            etree.SubElement(element, "display-name").text = display
    if logo_url:
        etree.SubElement(element, "icon", {"src": clean_line(logo_url)})


def _time(times: dict[datetime, str], when_utc: datetime) -> str:
    text = times.get(when_utc)
    if text is None:
        text = times[when_utc] = xmltv_time(when_utc)
    return text


def _programme(root: etree._Element, entry: GuideEntry, times: dict[datetime, str]) -> None:
    attrib = {
        "start": _time(times, entry.start_utc),
        "stop": _time(times, entry.stop_utc),
        "channel": clean_line(entry.channel_xmltv_id),
    }
    element = etree.SubElement(root, "programme", attrib)
    sub = etree.SubElement
    sub(element, "title").text = clean_line(entry.title) or "Untitled"
    if entry.sub_title:
        sub(element, "sub-title").text = clean_line(entry.sub_title)
    if entry.desc:
        sub(element, "desc").text = clean_xml_text(entry.desc)
    if entry.date:
        sub(element, "date").text = clean_line(entry.date)
    for category in entry.categories:
        sub(element, "category").text = clean_line(category)
    if entry.length_s is not None:
        _length(element, entry.length_s)
    if entry.icon_url:
        sub(element, "icon", {"src": clean_line(entry.icon_url)})
    if entry.episode_ns:
        sub(element, "episode-num", {"system": "xmltv_ns"}).text = entry.episode_ns
    if entry.episode_onscreen:
        sub(element, "episode-num", {"system": "onscreen"}).text = entry.episode_onscreen
    if entry.new is False:
        sub(element, "previously-shown")
    elif entry.new:
        sub(element, "new")
    if entry.rating:
        system = {"system": entry.rating_system} if entry.rating_system else {}
        rating = sub(element, "rating", system)
        sub(rating, "value").text = clean_line(entry.rating)


def _length(element: etree._Element, length_s: int) -> None:
    if length_s % 60 == 0:
        etree.SubElement(element, "length", {"units": "minutes"}).text = str(length_s // 60)
    else:
        etree.SubElement(element, "length", {"units": "seconds"}).text = str(length_s)
