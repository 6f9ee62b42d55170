"""Settings from defaults, an optional TOML file and ``RETROVUE_*`` environment variables.

Later sources win: defaults, then the file, then the environment, then command-line flags
(applied by the CLI with :func:`with_overrides`). Settings are passed explicitly, never global.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from retrovue.errors import ConfigError
from retrovue.logs import hide_url_password
from retrovue.text import name_problem

ENV_PREFIX = "RETROVUE_"
X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
)
LOG_FORMATS = ("plain", "json")
ISOLATIONS = ("process", "thread")


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    xdg = (os.environ if environ is None else environ).get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "retrovue"


HORIZON_DAYS_MAX = 60  # the most broadcast days kept built ahead (horizon_days, --days)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None
    bind_host: str = "0.0.0.0"
    advertise_host: str | None = None
    stream_port: int = 5004
    api_port: int | None = None
    tuner_count: int = 4
    friendly_name: str = "RetroVue"
    device_id: str | None = None
    horizon_days: int = 14
    history_days: int = 7
    linger_s: float = 15.0
    x264_preset: str = "veryfast"
    producer_isolation: str = "process"
    enable_udp: bool = True
    target_any_address: bool = False
    control_timeout_s: float = 30.0
    enable_ssdp: bool = True
    enable_mdns: bool = True
    log_format: str = "plain"
    log_level: str = "INFO"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'retrovue.db'}"

    def ensure_data_dir(self) -> Path:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"data_dir: cannot create {self.data_dir}: {err.strerror}; "
                "set RETROVUE_DATA_DIR to a writable folder"
            ) from err
        return self.data_dir


# ---- value parsers: each takes the raw value (str from env, anything from TOML) ----


def _as_str(key: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{key}: expected a non-empty string, got {raw!r}")
    return raw.strip()


def _as_int(low: int, high: int) -> Callable[[str, object], int]:
    def parse(key: str, raw: object) -> int:
        if isinstance(raw, bool):
            raise ConfigError(f"{key}: expected an integer, got {raw!r}")
        try:
            value = int(raw) if isinstance(raw, int | str) else None
        except ValueError:
            value = None
        if value is None:
            raise ConfigError(f"{key}: expected an integer, got {raw!r}")
        if not low <= value <= high:
            raise ConfigError(f"{key}: {value} is outside {low}..{high}")
        return value

    return parse


def _as_float(low: float, high: float) -> Callable[[str, object], float]:
    def parse(key: str, raw: object) -> float:
        try:
            value = float(raw) if isinstance(raw, int | float | str) else None
        except ValueError:
            value = None
        if value is None or isinstance(raw, bool):
            raise ConfigError(f"{key}: expected a number, got {raw!r}")
        if not low <= value <= high:
            raise ConfigError(f"{key}: {value} is outside {low}..{high}")
        return value

    return parse


def _as_bool(key: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{key}: expected true or false, got {raw!r}")


def _as_host(key: str, raw: object) -> str:
    text = _as_str(key, raw)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", text):
            raise ConfigError(f"{key}: {text!r} is not an IP address or host name") from None
    return text


def _as_advertise(key: str, raw: object) -> str:
    text = _as_host(key, raw)
    if text in ("0.0.0.0", "::"):
        raise ConfigError(f"{key}: must be the LAN address clients reach, never {text}")
    return text


def _as_choice(*choices: str) -> Callable[[str, object], str]:
    def parse(key: str, raw: object) -> str:
        text = _as_str(key, raw)
        if text not in choices:
            raise ConfigError(f"{key}: {text!r} is not one of {', '.join(choices)}")
        return text

    return parse


def _as_device_id(key: str, raw: object) -> str:
    text = _as_str(key, raw).upper()
    if not re.fullmatch(r"[0-9A-F]{8}", text):
        raise ConfigError(f"{key}: {text!r} is not 8 hexadecimal digits")
    return text


def _as_name(key: str, raw: object) -> str:
    text = _as_str(key, raw)
    problem = name_problem(text)
    if problem is not None:
        raise ConfigError(f"{key}: {problem}")
    return text


def _as_database_url(key: str, raw: object) -> str:
    text = _as_str(key, raw)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", text):
        shown = hide_url_password(text)
        raise ConfigError(f"{key}: {shown!r} is not a sqlite:/// or postgresql:// URL")
    return text


def _as_path(key: str, raw: object) -> Path:
    return Path(_as_str(key, raw)).expanduser()


def _as_log_level(key: str, raw: object) -> str:
    return _as_choice("DEBUG", "INFO", "WARNING", "ERROR")(key, _as_str(key, raw).upper())


PARSERS: Mapping[str, Callable[[str, object], Any]] = {
    "data_dir": _as_path,
    "database_url": _as_database_url,
    "bind_host": _as_host,
    "advertise_host": _as_advertise,
    "stream_port": _as_int(1, 65535),
    "api_port": _as_int(1, 65535),
    "tuner_count": _as_int(1, 64),
    "friendly_name": _as_name,
    "device_id": _as_device_id,
    "horizon_days": _as_int(1, HORIZON_DAYS_MAX),
    "history_days": _as_int(0, 365),
    "linger_s": _as_float(0.0, 3600.0),
    "x264_preset": _as_choice(*X264_PRESETS),
    "producer_isolation": _as_choice(*ISOLATIONS),
    "enable_udp": _as_bool,
    "target_any_address": _as_bool,
    "control_timeout_s": _as_float(0.1, 3600.0),
    "enable_ssdp": _as_bool,
    "enable_mdns": _as_bool,
    "log_format": _as_choice(*LOG_FORMATS),
    "log_level": _as_log_level,
}
assert set(PARSERS) == {f.name for f in fields(Settings)}


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as err:
        raise ConfigError(f"config file {path}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path}: not valid TOML ({err})") from err
    section = data.get("retrovue", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: [retrovue] must be a table")
    return section


def _parse_all(raw: Mapping[str, object], where: str) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        parser = PARSERS.get(key)
        if parser is None:
            raise ConfigError(f"{where}: unknown setting {key!r}")
        parsed[key] = parser(f"{where}: {key}" if where else key, value)
    return parsed


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build validated settings; raise :class:`ConfigError` naming the first bad key."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {"data_dir": default_data_dir(env)}
    env_file = env.get(ENV_PREFIX + "CONFIG")
    file_name = config_file or (Path(env_file) if env_file else None)
    if file_name is not None:
        values.update(_parse_all(_read_toml(file_name), str(file_name)))
    env_raw = {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in env.items()
        if name.startswith(ENV_PREFIX)
        and name != ENV_PREFIX + "CONFIG"
        and not name.startswith(ENV_PREFIX + "TEST_")
    }
    for key, value in env_raw.items():
        if key not in PARSERS:
            raise ConfigError(f"environment: unknown setting {ENV_PREFIX}{key.upper()}")
        values[key] = PARSERS[key](ENV_PREFIX + key.upper(), value)
    return Settings(**values)


def with_overrides(settings: Settings, **overrides: object) -> Settings:
    """Apply command-line overrides (``None`` means "not given"), validated like the rest."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return replace(settings, **_parse_all(given, "option") if given else {})
