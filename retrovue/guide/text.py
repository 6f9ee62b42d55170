"""Text hygiene for guide documents: keep every character XML 1.0 allows, drop the rest."""

from __future__ import annotations

import re

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAKS = re.compile("[\t\n\r\u0085\u2028\u2029]+")


def clean_xml_text(text: str) -> str:
    """Remove characters XML cannot carry (controls, lone surrogates, U+FFFE/FFFF).

    Everything else (Unicode, emoji, ``&``, ``<``) is kept; escaping is the serializer's job.
    """
    if text.isprintable() and text.isascii():
        return text
    return _XML_ILLEGAL.sub("", text)


def clean_line(text: str) -> str:
    """One line of text: XML-illegal characters removed, line breaks and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", clean_xml_text(text)).strip()
