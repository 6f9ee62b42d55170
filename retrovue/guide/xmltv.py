"""XMLTV documents with lxml. Pure: values in, bytes out.

Child elements follow the order the XMLTV DTD fixes (``/usr/share/xmltv/xmltv.dtd``):
channel = display-name+, icon*; programme = title, sub-title, desc, date, category*, length,
icon, episode-num*, previously-shown?, new?, rating*.

Every element is built and serialized by lxml. A programme airing many times (reruns, the same
film on several channels) is serialized once: its ``<programme>`` body is cached by content,
and each airing adds only its opening tag (start, stop, channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from lxml import etree

from retrovue.guide.model import GuideChannel, GuideEntry, GuideProgramme
from retrovue.guide.text import clean_line, clean_xml_text

GENERATOR_NAME = "RetroVue"
HEAD = b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n"
_OPEN, _CLOSE = b"<programme>", b"</programme>"


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
    root.text = "\n"
    open_tv, close_tv = _serialize(root).rsplit(b"</tv>", 1)[0], b"</tv>\n"
    parts = [HEAD, open_tv]
    parts.extend(_serialize(channel_element(c, logos.get(c.number))) + b"\n" for c in channels)
    times: dict[datetime, bytes] = {}
    channel_attrs: dict[str, bytes] = {}
    bodies: dict[GuideProgramme, bytes] = {}
    for entry in entries:
        body = bodies.get(entry.programme)
        if body is None:
            body = bodies[entry.programme] = _body(entry.programme)
        channel = channel_attrs.get(entry.channel_xmltv_id)
        if channel is None:
            channel = channel_attrs[entry.channel_xmltv_id] = _channel_attr(entry)
        parts += (
            b'<programme start="',
            _time(times, entry.start_utc),
            b'" stop="',
            _time(times, entry.stop_utc),
            channel,
            body,
        )
    parts.append(close_tv)
    return b"".join(parts)


def _serialize(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="UTF-8", xml_declaration=False)


def _time(times: dict[datetime, bytes], when_utc: datetime) -> bytes:
    text = times.get(when_utc)
    if text is None:
        text = times[when_utc] = xmltv_time(when_utc).encode("ascii")
    return text


def _channel_attr(entry: GuideEntry) -> bytes:
    """``" channel="<id>">`` with the id escaped by lxml."""
    element = etree.Element("x", {"channel": clean_line(entry.channel_xmltv_id)})
    return b'"' + _serialize(element)[2:-2] + b">"


def _body(programme: GuideProgramme) -> bytes:
    """The children and closing tag of a ``<programme>``, serialized by lxml."""
    raw = _serialize(programme_element(programme))
    if not raw.startswith(_OPEN) or not raw.endswith(_CLOSE):
        raise ValueError("unexpected programme serialization")
    return raw[len(_OPEN) :] + b"\n"


def channel_element(channel: GuideChannel, logo_url: str | None) -> etree._Element:
    element = etree.Element("channel", {"id": clean_line(channel.xmltv_id)})
    number, name = clean_line(channel.number), clean_line(channel.name)
    for display in dict.fromkeys([f"{number} {name}".strip(), number, name]):
        if display:
            etree.SubElement(element, "display-name").text = display
    if logo_url:
        etree.SubElement(element, "icon", {"src": clean_line(logo_url)})
    return element


def programme_element(programme: GuideProgramme) -> etree._Element:
    """A ``<programme>`` without attributes, children in DTD order."""
    element = etree.Element("programme")
    sub = etree.SubElement
    sub(element, "title").text = clean_line(programme.title) or "Untitled"
    if programme.sub_title and clean_line(programme.sub_title):
        sub(element, "sub-title").text = clean_line(programme.sub_title)
    if programme.desc and clean_xml_text(programme.desc).strip():
        sub(element, "desc").text = clean_xml_text(programme.desc)
    if programme.date:
        sub(element, "date").text = clean_line(programme.date)
    for category in programme.categories:
        if clean_line(category):
            sub(element, "category").text = clean_line(category)
    if programme.length_s is not None:
        minutes, seconds = divmod(programme.length_s, 60)
        units, value = ("minutes", minutes) if seconds == 0 else ("seconds", programme.length_s)
        sub(element, "length", {"units": units}).text = str(value)
    if programme.icon_url:
        sub(element, "icon", {"src": clean_line(programme.icon_url)})
    if programme.episode_ns:
        sub(element, "episode-num", {"system": "xmltv_ns"}).text = programme.episode_ns
    if programme.episode_onscreen:
        sub(element, "episode-num", {"system": "onscreen"}).text = programme.episode_onscreen
    if programme.new is False:
        sub(element, "previously-shown")
    elif programme.new:
        sub(element, "new")
    if programme.rating and clean_line(programme.rating):
        system = {"system": programme.rating_system} if programme.rating_system else {}
        rating = sub(element, "rating", system)
        sub(rating, "value").text = clean_line(programme.rating)
    return element
