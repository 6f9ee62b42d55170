"""What the appliance says about itself: identity, model, URLs (a value, built once at start)."""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.hdhr.identity import DeviceIdentity

MODEL_NUMBER = "HDHR5-4US"  # never an "HDTC" model: Jellyfin would ask for transcode profiles
FIRMWARE_NAME = "hdhomerun5_atsc"
FIRMWARE_VERSION = "20250101"
MANUFACTURER = "Silicondust"
MANUFACTURER_URL = "https://www.silicondust.com/"
MODEL_DESCRIPTION = "RetroVue linear channels (HDHomeRun compatible)"
DEVICE_TYPE_URN = "urn:schemas-upnp-org:device:MediaServer:1"


@dataclass(frozen=True)
class Device:
    identity: DeviceIdentity
    friendly_name: str
    tuner_count: int
    base_url: str  # "http://<advertise>:<api port>", no trailing slash
    stream_base_url: str  # "http://<advertise>:<stream port>"

    @property
    def device_id(self) -> str:
        return self.identity.device_id

    @property
    def udn(self) -> str:
        return self.identity.udn

    @property
    def lineup_url(self) -> str:
        return f"{self.base_url}/lineup.json"

    @property
    def location_url(self) -> str:
        return f"{self.base_url}/device.xml"


def http_base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
