"""Control characters in names: refused at the CLI and in the settings; XML documents drop what
XML forbids, so a name that got in anyway (an older version, a direct database write) never
breaks /lineup.xml or /device.xml."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import aiohttp
import pytest

from retrovue.app import run_station
from retrovue.broadcast.channels import read_channels
from retrovue.broadcast.templates import read_templates
from retrovue.clock import SystemClock
from retrovue.config import load_settings
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.errors import ConfigError
from tests.conftest import CliRunner
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

UPNP = "{urn:schemas-upnp-org:device-1-0}"


@pytest.fixture
def rv(cli: CliRunner, sqlite_db: Database) -> CliRunner:
    cli.use_database(sqlite_db.url.render_as_string(hide_password=False))
    return cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("channel", "add", "13", "Ctl\x01\x0bchar"), "error: channel name: contains the control"),
        (("channel", "add", "13", "Tab\there"), "error: channel name: contains the control"),
        (("channel", "add", "13", "Ok", "--callsign", "K\x1bX"), "error: --callsign: contains"),
        (("template", "add", "Bell\x07"), "error: template name: contains the control"),
    ],
)
def test_names_with_control_characters_are_refused(
    rv: CliRunner, sqlite_db: Database, args: tuple[str, ...], message: str
) -> None:
    result = rv(*args)
    assert result.code == 2, result.err
    assert result.err.startswith(message), result.err
    assert result.err.count("\n") == 1
    assert read_channels(sqlite_db) == []
    assert read_templates(sqlite_db) == []


def test_a_friendly_name_with_a_control_character_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"RETROVUE_FRIENDLY_NAME": "Bad\x01Name"})
    assert str(caught.value).startswith("RETROVUE_FRIENDLY_NAME: contains the control")


async def test_xml_documents_drop_what_xml_forbids(sqlite_db: Database) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with sqlite_db.transaction(immediate=True) as session:
        session.add(
            Channel(number="13", name="Ctl\x01\x0bchar", timezone="UTC", profile="720p",
                    enabled=True, created_utc=now, updated_utc=now)
        )  # fmt: skip
    config = station_config(friendly_name="Bad\x01Name")
    async with (
        run_station(
            config, database=sqlite_db, clock=SystemClock(), stream_service=FakeStreamService()
        ) as station,
        aiohttp.ClientSession() as client,
    ):
        base = f"http://127.0.0.1:{station.api_port}"
        async with client.get(base + "/lineup.xml") as resp:
            lineup = ElementTree.fromstring(await resp.read())
        async with client.get(base + "/device.xml") as resp:
            device = ElementTree.fromstring(await resp.read())
    assert [p.findtext("GuideName") for p in lineup.iter("Program")] == ["Ctlchar"]
    assert device.findtext(f"{UPNP}device/{UPNP}friendlyName") == "BadName"
