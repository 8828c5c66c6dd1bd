"""Cleaning what users type or upload before it is stored and shown. A low module: it knows
no feature, and every feature may use it."""

import unicodedata

# Characters that are not text to be read: controls (a newline in a header), format
# characters (bidi overrides and isolates, zero-width marks, which make "b\u202eexe.txt"
# show as "btxt.exe"), line and paragraph separators, and lone surrogates.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

MAX_FILENAME = 255


def visible(text: str) -> str:
    """``text`` in NFC with every control and format character taken out."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)


def clean_filename(name: str | None, *, limit: int = MAX_FILENAME) -> str | None:
    """A bare file name from whatever a client sent: no directories, no control or format
    characters, never '.' or '..', at most ``limit`` characters (the extension kept when
    shortening); None when nothing usable is left. Shown escaped, never used as a path."""
    if not name:
        return None
    name = visible(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = name.strip().strip(".").strip()
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        keep = dot and 0 < len(ext) <= 10
        name = stem[: limit - len(ext) - 1] + "." + ext if keep else name[:limit]
    return name or None
