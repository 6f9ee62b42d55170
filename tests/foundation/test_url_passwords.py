"""A password in a URL never shows in a message: configuration, database and CLI errors, logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrovue.config import load_settings
from retrovue.db.engine import parse_url
from retrovue.errors import ConfigError, DatabaseError
from retrovue.logs import hide_url_password, redact

SECRET = "s3cr3tpw"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("mysql://root:s3cr3tpw@127.0.0.1/x", "mysql://root:****@127.0.0.1/x"),
        ("postgresql+psycopg://a:s3cr3tpw@h:5432/d", "postgresql+psycopg://a:****@h:5432/d"),
        ("see http://u:s3cr3tpw@plex.lan:32400/ now", "see http://u:****@plex.lan:32400/ now"),
        ("sqlite:////var/lib/x.db", "sqlite:////var/lib/x.db"),
        ("http://plex.lan:32400/library", "http://plex.lan:32400/library"),
    ],
)
def test_hide_url_password(text: str, shown: str) -> None:
    assert hide_url_password(text) == shown
    assert redact(text) == shown


def test_a_refused_database_url_is_named_without_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"RETROVUE_DATABASE_URL": f"mysql://root:{SECRET}@127.0.0.1/x"})
    assert SECRET not in str(caught.value)
    assert "mysql://root:****@127.0.0.1/x" in str(caught.value)


def test_an_unparsable_database_url_is_named_without_its_password() -> None:
    with pytest.raises(DatabaseError) as caught:
        parse_url(f"postgresql://root:{SECRET}@127.0.0.1:notaport/x")
    assert SECRET not in str(caught.value)
    with pytest.raises(DatabaseError) as caught:
        parse_url(f"mysql://root:{SECRET}@127.0.0.1/x")
    assert SECRET not in str(caught.value)


def test_doctor_with_a_password_in_a_refused_url(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RETROVUE_DATABASE_URL": f"mysql://root:{SECRET}@127.0.0.1/x",
        "RETROVUE_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "retrovue", "doctor"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "mysql://root:****@127.0.0.1/x" in done.stderr
