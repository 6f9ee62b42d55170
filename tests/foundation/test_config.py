"""Settings: defaults, TOML file, environment, validation with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.config import Settings, load_settings, with_overrides
from retrovue.errors import ConfigError


def test_defaults_give_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={"RETROVUE_DATA_DIR": str(tmp_path)})
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'retrovue.db'}"
    assert settings.stream_port == 5004
    assert settings.tuner_count == 4
    assert settings.friendly_name == "RetroVue"


def test_default_data_dir_follows_xdg(tmp_path: Path) -> None:
    settings = load_settings(environ={"XDG_DATA_HOME": str(tmp_path)})
    assert settings.data_dir == tmp_path / "retrovue"


def test_data_dir_is_created_on_demand(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "a" / "b")
    assert settings.ensure_data_dir().is_dir()


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "retrovue.toml"
    config.write_text('[retrovue]\ntuner_count = 2\nfriendly_name = "Den"\nstream_port = 6000\n')
    settings = load_settings(config, environ={"RETROVUE_TUNER_COUNT": "3"})
    assert (settings.tuner_count, settings.friendly_name, settings.stream_port) == (3, "Den", 6000)
    overridden = with_overrides(settings, stream_port=7000, advertise_host=None)
    assert overridden.stream_port == 7000
    assert overridden.advertise_host is None


def test_config_file_named_by_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("enable_ssdp = false\n")
    settings = load_settings(environ={"RETROVUE_CONFIG": str(config)})
    assert settings.enable_ssdp is False


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"RETROVUE_BOGUS": "1"}, "unknown setting RETROVUE_BOGUS"),
        ({"RETROVUE_STREAM_PORT": "abc"}, "RETROVUE_STREAM_PORT: expected an integer"),
        ({"RETROVUE_STREAM_PORT": "70000"}, "RETROVUE_STREAM_PORT: 70000 is outside 1..65535"),
        ({"RETROVUE_TUNER_COUNT": "0"}, "RETROVUE_TUNER_COUNT: 0 is outside"),
        ({"RETROVUE_ENABLE_UDP": "maybe"}, "RETROVUE_ENABLE_UDP: expected true or false"),
        ({"RETROVUE_ADVERTISE_HOST": "0.0.0.0"}, "RETROVUE_ADVERTISE_HOST: must be the LAN"),
        ({"RETROVUE_DATABASE_URL": "mysql://x/y"}, "RETROVUE_DATABASE_URL: 'mysql://x/y' is not"),
        ({"RETROVUE_DEVICE_ID": "XYZ"}, "RETROVUE_DEVICE_ID: 'XYZ' is not 8 hexadecimal digits"),
        ({"RETROVUE_X264_PRESET": "warp"}, "RETROVUE_X264_PRESET: 'warp' is not one of"),
        ({"RETROVUE_BIND_HOST": "not a host!"}, "RETROVUE_BIND_HOST: 'not a host!' is not"),
    ],
)
def test_bad_environment_values_name_the_key(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_file_values_name_the_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("tuner_count = true\n")
    with pytest.raises(ConfigError, match=r"bad.toml: tuner_count: expected an integer"):
        load_settings(config, environ={})
    config.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match=r"unknown setting 'colour'"):
        load_settings(config, environ={})
    config.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})
