"""Plex Media Server XML for one item's media: Media, Part and Stream elements, chapters and
markers, from the compact or the full fixture form (used by :mod:`fake_plex_xml`)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

Json = dict[str, Any]


def xml_element(element_tag: str, /, **attrs: object) -> ET.Element:
    element = ET.Element(element_tag)
    for key, value in attrs.items():
        if value is not None:
            element.set(key, str(value).lower() if isinstance(value, bool) else str(value))
    return element


def normalised_media(item: Json) -> list[Json]:
    """The item's media list, expanding the compact single-file form."""
    if "media" in item:
        return [copy.deepcopy(m) for m in item["media"]]
    media: Json = {
        k: copy.deepcopy(item[k]) for k in ("container", "video", "audio", "subtitles") if k in item
    }
    media["parts"] = [
        {
            "id": int(item["ratingKey"]) * 10 + 1,
            "file": item["file"],
            "size": item.get("size", 0),
            "duration": item.get("duration"),
        }
    ]
    return [media]


_RATE_NAMES = {23.976: "24p", 24.0: "24p", 25.0: "PAL", 29.97: "NTSC", 50.0: "50p", 59.94: "60p"}


def _resolution(height: int) -> str:
    if height >= 2000:
        return "4k"
    if height >= 1000:
        return "1080"
    if height >= 700:
        return "720"
    return "sd" if height < 576 else "576"


def _streams(media: Json, part_id: int) -> list[ET.Element]:
    streams: list[ET.Element] = []
    video = media.get("video")
    stream_id = part_id * 10
    if video:
        streams.append(
            xml_element(
                "Stream",
                id=stream_id,
                streamType=1,
                default=1,
                codec=video["codec"],
                index=0,
                bitrate=4000,
                height=video["height"],
                width=video["width"],
                frameRate=video.get("frameRate"),
                scanType=video.get("scanType"),
                pixelAspectRatio=video.get("pixelAspectRatio"),
                displayTitle=f"{_resolution(video['height'])} ({video['codec'].upper()})",
            )
        )
    for i, audio in enumerate(media.get("audio", []), start=1):
        streams.append(
            xml_element(
                "Stream",
                id=stream_id + i,
                streamType=2,
                selected=1 if i == 1 else None,
                default=1 if i == 1 else None,
                codec=audio["codec"],
                index=i,
                channels=audio["channels"],
                samplingRate=audio["samplingRate"],
                language=audio.get("language"),
                languageCode=audio.get("languageCode"),
                languageTag=(audio.get("languageCode") or "")[:2] or None,
                displayTitle=f"{audio.get('language', 'Unknown')} ({audio['codec'].upper()})",
            )
        )
    offset = stream_id + 1 + len(media.get("audio", []))
    for i, sub in enumerate(media.get("subtitles", [])):
        streams.append(
            xml_element(
                "Stream",
                id=offset + i,
                streamType=3,
                codec=sub["codec"],
                index=offset + i - stream_id,
                language=sub.get("language"),
                languageCode=sub.get("languageCode"),
                displayTitle=f"{sub.get('language', 'Unknown')} ({sub['codec'].upper()})",
            )
        )
    return streams


def media_elements(item: Json, *, details: bool, updated_at: int) -> list[ET.Element]:
    elements = []
    for number, media in enumerate(normalised_media(item), start=1):
        video = media.get("video") or {}
        audio = (media.get("audio") or [{}])[0]
        parts = media["parts"]
        total_ms = sum(int(p.get("duration") or 0) for p in parts) or item.get("duration")
        element = xml_element(
            "Media",
            id=int(item["ratingKey"]) * 100 + number,
            duration=total_ms,
            bitrate=4000,
            width=video.get("width"),
            height=video.get("height"),
            aspectRatio=round(video["width"] / video["height"], 2) if video else None,
            audioChannels=audio.get("channels"),
            audioCodec=audio.get("codec"),
            videoCodec=video.get("codec"),
            videoResolution=_resolution(video["height"]) if video else None,
            container=media.get("container"),
            videoFrameRate=_RATE_NAMES.get(video.get("frameRate", 0.0), "24p") if video else None,
            videoProfile="main" if video else None,
        )
        for part in parts:
            ext = part["file"].rsplit(".", 1)[-1]
            part_el = xml_element(
                "Part",
                id=part["id"],
                key=f"/library/parts/{part['id']}/{updated_at}/file.{ext}",
                duration=part.get("duration"),
                file=part["file"],
                size=part.get("size", 0),
                container=media.get("container"),
                videoProfile="main" if video else None,
                accessible=1 if details else None,
                exists=1 if details else None,
            )
            if details:
                part_el.extend(_streams(media, int(part["id"])))
            element.append(part_el)
        elements.append(element)
    return elements


def chapter_elements(item: Json) -> list[ET.Element]:
    return [
        xml_element(
            "Chapter",
            id=int(item["ratingKey"]) * 100 + i,
            filter=f"thumb={i}",
            index=i,
            startTimeOffset=chapter["start"],
            endTimeOffset=chapter["end"],
            tag=chapter.get("tag"),
            thumb=f"/library/media/{item['ratingKey']}/chapterImages/{i}",
        )
        for i, chapter in enumerate(item.get("chapters", []), start=1)
    ]


def marker_elements(item: Json) -> list[ET.Element]:
    elements = []
    for i, marker in enumerate(item.get("markers", []), start=1):
        element = xml_element(
            "Marker",
            id=int(item["ratingKey"]) * 100 + i,
            type=marker["type"],
            startTimeOffset=marker["start"],
            endTimeOffset=marker["end"],
            final=1 if marker["type"] == "credits" else None,
        )
        element.append(xml_element("Attributes", id=int(item["ratingKey"]) * 100 + i, version=5))
        elements.append(element)
    return elements
