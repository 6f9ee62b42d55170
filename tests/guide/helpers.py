"""Shared checks for the guide tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DTD = Path("/usr/share/xmltv/xmltv.dtd")


def validate_xmltv(document: bytes, folder: Path) -> str:
    """Run Debian's ``tv_validate_file`` against the XMLTV DTD; return what it printed."""
    tool = shutil.which("tv_validate_file")
    if tool is None or not DTD.is_file():
        pytest.fail("tv_validate_file (Debian xmltv-util) is needed for the guide tests")
    path = folder / "guide.xml"
    path.write_bytes(document)
    result = subprocess.run(
        [tool, "--dtd-file", str(DTD), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr
