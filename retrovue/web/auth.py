"""The operator's password and browser sessions: only the operator may change the station.

The password is kept hashed (scrypt, a random salt) in ``operator.json`` in the data directory,
written by ``retrovue admin password`` or generated once by ``retrovue serve`` (shown once).
Every comparison is constant-time. A browser signs in once and gets a session cookie plus a
CSRF token that each form post must carry; API clients send the password as a bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from retrovue.clock import Clock
from retrovue.errors import ConfigError, ValidationError

PASSWORD_FILE = "operator.json"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_BYTES = 32
MIN_PASSWORD_CHARS = 8
SESSION_TTL_S = 12 * 3600.0
MAX_SESSIONS = 64


@dataclass(frozen=True)
class PasswordRecord:
    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def to_json(self) -> dict[str, object]:
        return {
            "scheme": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": self.salt.hex(),
            "hash": self.digest.hex(),
        }

    @classmethod
    def from_json(cls, data: object) -> PasswordRecord:
        if not isinstance(data, dict) or data.get("scheme") != "scrypt":
            raise ConfigError(f"{PASSWORD_FILE}: not a scrypt password record")
        try:
            return cls(
                bytes.fromhex(str(data["salt"])),
                bytes.fromhex(str(data["hash"])),
                int(data["n"]),
                int(data["r"]),
                int(data["p"]),
            )
        except (KeyError, ValueError) as err:
            raise ConfigError(f"{PASSWORD_FILE}: malformed password record") from err


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=2**26
    )


def hash_password(password: str) -> PasswordRecord:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            f"the operator password needs at least {MIN_PASSWORD_CHARS} characters"
        )
    salt = secrets.token_bytes(16)
    return PasswordRecord(salt, _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))


def verify_password(record: PasswordRecord, password: str) -> bool:
    candidate = _derive(password, record.salt, record.n, record.r, record.p)
    return hmac.compare_digest(candidate, record.digest)


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


def password_path(data_dir: Path) -> Path:
    return data_dir / PASSWORD_FILE


def save_password(data_dir: Path, password: str) -> Path:
    """Store the hash (never the password), atomically, readable by the owner only."""
    record = hash_password(password)
    path = password_path(data_dir)
    temporary = path.with_name(path.name + ".tmp")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(record.to_json(), handle)
        os.replace(temporary, path)
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror}") from err
    return path


def load_password(data_dir: Path) -> PasswordRecord | None:
    path = password_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}") from err
    try:
        return PasswordRecord.from_json(json.loads(text))
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}: not JSON") from err


def ensure_password(data_dir: Path) -> str | None:
    """A generated password when none is stored yet (to be shown once), else ``None``."""
    if load_password(data_dir) is not None:
        return None
    password = generate_password()
    save_password(data_dir, password)
    return password


@dataclass(frozen=True)
class WebSession:
    token: str
    csrf: str
    expires_s: float  # on the clock's monotonic scale


class OperatorAuth:
    """Checks the password (re-read from the data directory, so a change applies at once) and
    keeps the signed-in browsers' sessions in memory (a restart signs everyone out)."""

    def __init__(self, data_dir: Path, clock: Clock, *, session_ttl_s: float = SESSION_TTL_S):
        self._data_dir = data_dir
        self._clock = clock
        self._ttl_s = session_ttl_s
        self._sessions: dict[str, WebSession] = {}
        self._lock = threading.Lock()
        self._checking = threading.Lock()  # one scrypt at a time: guesses stay slow

    def configured(self) -> bool:
        return load_password(self._data_dir) is not None

    def check_password(self, password: str) -> bool:
        record = load_password(self._data_dir)
        if record is None or not password:
            return False
        with self._checking:
            return verify_password(record, password)

    def sign_in(self, password: str) -> WebSession | None:
        if not self.check_password(password):
            return None
        session = WebSession(
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            self._clock.monotonic_s() + self._ttl_s,
        )
        with self._lock:
            self._expire()
            self._sessions[session.token] = session
        return session

    def session(self, token: str | None) -> WebSession | None:
        if not token:
            return None
        with self._lock:
            self._expire()
            for known, session in self._sessions.items():  # constant-time per candidate
                if hmac.compare_digest(known, token):
                    return session
        return None

    def sign_out(self, token: str | None) -> None:
        found = self.session(token)
        if found is not None:
            with self._lock:
                self._sessions.pop(found.token, None)

    @staticmethod
    def csrf_ok(session: WebSession, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(session.csrf, offered or "")

    def _expire(self) -> None:
        now_s = self._clock.monotonic_s()
        for token in [t for t, s in self._sessions.items() if s.expires_s <= now_s]:
            del self._sessions[token]
        while len(self._sessions) > MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.expires_s)
            del self._sessions[oldest.token]
