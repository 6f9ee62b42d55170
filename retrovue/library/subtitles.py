"""A file's subtitles and which of them become a channel's captions. Pure.

Sources, found at ingest:

* sidecar files next to the media file: ``<stem>.srt`` / ``.ass`` / ``.ssa`` / ``.vtt``, with
  an optional language and flags between (``Show - S01E01.en.srt``, ``Film.de.forced.srt``,
  ``Film.eng.sdh.vtt``);
* embedded text tracks (SubRip, ASS/SSA, mov_text, WebVTT), from the probe;
* CEA-608 captions already in the video (A/53 side data of H.264 or MPEG-2 pictures).

Image subtitles (PGS, VobSub, DVB) are listed by the probe but are not text: they cannot become
608 captions. A channel can burn PGS tracks of one language into the picture instead
(:func:`choose_burn`).

The channel's caption setting picks one (:func:`choose_caption`): ``off``; a language; or, unset,
the channel's audio language, then English, then the first source. Forced tracks (only the
foreign parts of a film) come after full ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

SIDECAR_FORMATS = {".srt": "srt", ".ass": "ass", ".ssa": "ssa", ".vtt": "vtt"}
TEXT_CODECS = frozenset({"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"})
# the probe names a track by FFmpeg's decoder (pgssub), older rows by the codec (hdmv_pgs_...)
IMAGE_CODECS = frozenset({"hdmv_pgs_subtitle", "pgssub", "dvd_subtitle", "dvdsub",
                          "dvb_subtitle", "dvbsub", "xsub"})  # fmt: skip
BURNABLE_CODECS = frozenset({"hdmv_pgs_subtitle", "pgssub"})  # image tracks that can be burnt in
CAPTIONS_OFF = "off"
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_FLAGS = frozenset({"forced", "sdh", "cc", "hi", "default", "full"})
# ISO 639-1 and the 639-2 codes (bibliographic and terminology) files carry for one language
_SAME = [("en", "eng"), ("de", "deu", "ger"), ("fr", "fra", "fre"), ("es", "spa"), ("it", "ita"),
         ("pt", "por"), ("nl", "nld", "dut"), ("sv", "swe"), ("da", "dan"), ("no", "nor", "nob"),
         ("fi", "fin"), ("pl", "pol"), ("cs", "ces", "cze"), ("ru", "rus"), ("ja", "jpn"),
         ("zh", "zho", "chi"), ("ko", "kor"), ("ar", "ara"), ("el", "ell", "gre"), ("tr", "tur"),
         ("hu", "hun"), ("ro", "ron", "rum"), ("he", "heb"), ("hi", "hin")]  # fmt: skip
_CANONICAL = {code: codes[0] for codes in _SAME for code in codes}


def language_key(code: str | None) -> str | None:
    """One key per language: ``eng``, ``en`` and ``en-US`` all give ``en``."""
    if not code:
        return None
    base = code.strip().lower().split("-")[0].split("_")[0]
    return _CANONICAL.get(base, base) or None


def sidecar_files(media: Path, names: Iterable[str]) -> list[dict[str, Any]]:
    """The subtitle files among ``names`` (the media file's folder) that belong to ``media``."""
    stem = media.stem.lower()
    found = []
    for name in sorted(names):
        path = Path(name)
        fmt = SIDECAR_FORMATS.get(path.suffix.lower())
        if fmt is None or not (name.lower() == f"{stem}{path.suffix.lower()}" or
                               name.lower().startswith(f"{stem}.")):  # fmt: skip
            continue
        tags = [t for t in name[len(stem) : -len(path.suffix)].split(".") if t]
        language = next((t for t in tags if _LANGUAGE.fullmatch(t) and t.lower() not in _FLAGS),
                        None)  # fmt: skip
        if len(tags) > (1 if language is None else 2) or any(
            t.lower() not in _FLAGS and t != language for t in tags
        ):
            continue  # another file's subtitles (``Show.part2.srt`` for ``Show.mkv``)
        found.append({
            "path": str(media.parent / name), "format": fmt, "language": language,
            "forced": any(t.lower() == "forced" for t in tags),
        })  # fmt: skip
    return found


def caption_sources(
    sidecars: Sequence[Mapping[str, Any]],
    subtitle_tracks: Sequence[Mapping[str, Any]],
    closed_captions: bool,
) -> list[dict[str, Any]]:
    """Every source that can become captions, in the order the choice prefers at equal
    language: sidecars, then embedded text tracks, then the video's own 608 captions."""
    sources: list[dict[str, Any]] = [
        {"kind": "sidecar", "path": s["path"], "format": s.get("format"),
         "language": s.get("language"), "forced": bool(s.get("forced"))}
        for s in sidecars
    ]  # fmt: skip
    sources += [
        {"kind": "embedded", "index": t["index"], "format": t.get("codec"),
         "language": t.get("language"), "forced": bool(t.get("forced"))}
        for t in subtitle_tracks
        if t.get("codec") in TEXT_CODECS
    ]  # fmt: skip
    if closed_captions:
        sources.append({"kind": "a53", "format": "cea-608", "language": None, "forced": False})
    return sources


def choose_caption(
    sources: Sequence[Mapping[str, Any]], setting: str | None, audio_language: str | None
) -> Mapping[str, Any] | None:
    """The source a channel shows: ``setting`` off gives none; a language its track; unset, the
    audio language's, then English, then the first (full tracks before forced ones)."""
    if setting == CAPTIONS_OFF or not sources:
        return None
    ordered = sorted(sources, key=lambda s: bool(s.get("forced")))
    wanted = [setting] if setting else [audio_language, "en"]
    for language in (language_key(w) for w in wanted):
        for source in ordered:
            if language is not None and language_key(source.get("language")) == language:
                return source
    return ordered[0]


def choose_burn(subtitle_tracks: Sequence[Mapping[str, Any]], language: str | None) -> int | None:
    """The index of the image subtitle track in ``language`` to burn into the picture (a full
    one before a forced one), or None: none asked for, or none in that language."""
    wanted = language_key(language)
    if wanted is None:
        return None
    tracks = sorted(
        (t for t in subtitle_tracks if t.get("codec") in BURNABLE_CODECS),
        key=lambda t: bool(t.get("forced")),
    )
    for track in tracks:
        if language_key(track.get("language")) == wanted:
            return int(track["index"])
    return None


def describe(source: Mapping[str, Any]) -> str:
    """One line for ``assets show``."""
    where = (
        Path(str(source["path"])).name
        if source["kind"] == "sidecar"
        else (f"track #{source['index']}" if source["kind"] == "embedded" else "in the video")
    )
    flags = " forced" if source.get("forced") else ""
    return f"{source['kind']} {source.get('format') or '?'} {source.get('language') or '-'}" \
           f"{flags} ({where})"  # fmt: skip
