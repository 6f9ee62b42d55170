"""The HTTP documents a DVR reads: discover, lineup, lineup status, status, device.xml (pure).

Keys are PascalCase exactly as real devices send them; integers are ints; flags are ``1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _escape

from retrovue.hdhr.device import (
    DEVICE_TYPE_URN,
    FIRMWARE_NAME,
    FIRMWARE_VERSION,
    MANUFACTURER,
    MANUFACTURER_URL,
    MODEL_DESCRIPTION,
    MODEL_NUMBER,
    Device,
)
from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.tuners import TunerState
from retrovue.text import clean_xml_text

JsonObject = dict[str, object]


@dataclass(frozen=True)
class ScanState:
    in_progress: bool = False
    progress_percent: int = 0
    found: int = 0


def escape(text: str) -> str:
    """XML character data: what XML forbids dropped (a name with a control character must
    not break the document), the rest escaped."""
    return _escape(clean_xml_text(text))


def discover_json(device: Device) -> JsonObject:
    return {
        "FriendlyName": device.friendly_name,
        "ModelNumber": MODEL_NUMBER,
        "FirmwareName": FIRMWARE_NAME,
        "FirmwareVersion": FIRMWARE_VERSION,
        "DeviceID": device.device_id,
        "DeviceAuth": device.identity.device_auth,
        "BaseURL": device.base_url,
        "LineupURL": device.lineup_url,
        "TunerCount": device.tuner_count,
    }


def stream_url(device: Device, channel: LineupChannel) -> str:
    return f"{device.stream_base_url}/auto/v{channel.number}"


def lineup_json(device: Device, channels: Iterable[LineupChannel]) -> list[JsonObject]:
    entries: list[JsonObject] = []
    for channel in channels:
        entry: JsonObject = {
            "GuideNumber": channel.number,
            "GuideName": channel.name,
            "VideoCodec": channel.video_codec,
            "AudioCodec": channel.audio_codec,
        }
        if channel.hd:
            entry["HD"] = 1
        entry["URL"] = stream_url(device, channel)
        entries.append(entry)
    return entries


def lineup_xml(device: Device, channels: Iterable[LineupChannel]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<Lineup>"]
    for entry in lineup_json(device, channels):
        fields = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in entry.items())
        lines.append(f"<Program>{fields}</Program>")
    lines.append("</Lineup>")
    return "\n".join(lines) + "\n"


def lineup_status_json(scan: ScanState) -> JsonObject:
    if scan.in_progress:
        return {"ScanInProgress": 1, "Progress": scan.progress_percent, "Found": scan.found}
    return {"ScanInProgress": 0, "ScanPossible": 1, "Source": "Cable", "SourceList": ["Cable"]}


def status_json(states: Sequence[TunerState]) -> list[JsonObject]:
    out: list[JsonObject] = []
    for state in states:
        entry: JsonObject = {"Resource": state.resource}
        if state.use is not None:
            entry["VctNumber"] = state.use.channel_number
            entry["VctName"] = state.use.channel_name
            entry["TargetIP"] = state.use.client
        out.append(entry)
    return out


def device_xml(device: Device) -> str:
    def tag(name: str, value: str) -> str:
        return f"    <{name}>{escape(value)}</{name}>"

    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<root xmlns="urn:schemas-upnp-org:device-1-0">',
            "  <specVersion><major>1</major><minor>0</minor></specVersion>",
            f"  <URLBase>{escape(device.base_url)}</URLBase>",
            "  <device>",
            tag("deviceType", DEVICE_TYPE_URN),
            tag("friendlyName", device.friendly_name),
            tag("manufacturer", MANUFACTURER),
            tag("manufacturerURL", MANUFACTURER_URL),
            tag("modelDescription", MODEL_DESCRIPTION),
            tag("modelName", MODEL_NUMBER),
            tag("modelNumber", MODEL_NUMBER),
            tag("serialNumber", device.device_id),
            tag("UDN", f"uuid:{device.udn}"),
            "  </device>",
            "</root>",
            "",
        ]
    )
