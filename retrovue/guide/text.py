"""Text hygiene for guide documents: keep every character XML 1.0 allows, drop the rest."""

from __future__ import annotations

import re

from retrovue.text import clean_xml_text

__all__ = ["clean_line", "clean_xml_text"]

_LINE_BREAKS = re.compile("[\t\n\r\u0085\u2028\u2029]+")


def clean_line(text: str) -> str:
    """One line of text: XML-illegal characters removed, line breaks and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", clean_xml_text(text)).strip()
