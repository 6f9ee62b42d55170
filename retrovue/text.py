"""Text rules every layer shares (pure): what XML can carry, what a name may contain."""

from __future__ import annotations

import re
import unicodedata

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_xml_text(text: str) -> str:
    """Remove characters XML cannot carry (controls, lone surrogates, U+FFFE/FFFF).

    Everything else (Unicode, emoji, ``&``, ``<``) is kept; escaping is the serializer's job.
    """
    if text.isprintable() and text.isascii():
        return text
    return _XML_ILLEGAL.sub("", text)


def control_character(text: str) -> str | None:
    """The first character a name may not hold (a C0/C1 control, tab and line breaks included,
    a lone surrogate, U+FFFE/U+FFFF), or None."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff":
            return char
    return None


def name_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name (one line), or None."""
    char = control_character(text)
    if char is None:
        return None
    return f"contains the control character U+{ord(char):04X}; use printable text"
