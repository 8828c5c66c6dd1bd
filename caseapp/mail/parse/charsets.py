"""Bytes to text, whatever the mail claims its charset is.

``decode_bytes`` never raises: a declared charset is tried first (with ISO-8859-1 read as
windows-1252, as browsers do, because Outlook mislabels), then UTF-8, then charset-normalizer's
guess, then windows-1252 with replacement. ``repair_mojibake`` undoes the common double
encoding ('Ã¥' for 'å') when the repaired text has fewer mojibake markers.
"""

from __future__ import annotations

import codecs
import re

# Python registers bytes-to-bytes codecs (zlib, bz2, base64, uu …) under names a hostile
# mail could declare as a charset; only text encodings may be used.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "x-unknown": "",
    "unknown-8bit": "",
    "unknown": "",
    "iso-2022-jp": "iso2022_jp_ext",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "windows-874": "cp874",
}
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(f"Ã[\x80-\xbf{_CP1252_HIGH}]|Â[\xa0-\xbf]|â€[\x80-\xbf{_CP1252_HIGH}]")
MAX_DETECT = 64 * 1024  # charset-normalizer on a sample: enough to guess, bounded in time


def _text_codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    if not name or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes; never raises. See the module docstring for the order of attempts."""
    if not data:
        return ""
    if data.startswith(codecs.BOM_UTF8):
        return repair_mojibake(data[3:].decode("utf-8", "replace"))
    codec = _text_codec(charset)
    if codec:
        try:
            return repair_mojibake(data.decode(codec))
        except (UnicodeError, ValueError, LookupError, TypeError):
            pass
    try:
        return repair_mojibake(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    western = _plausible_cp1252(data)
    if western is not None:
        return western
    guess = _guess(data)
    if guess:
        try:
            return data.decode(guess, "replace")
        except (UnicodeError, LookupError, ValueError, TypeError):
            pass
    if codec:
        try:
            return data.decode(codec, "replace")
        except (UnicodeError, LookupError, ValueError, TypeError):
            pass
    return data.decode("cp1252", "replace")


def _plausible_cp1252(data: bytes) -> str | None:
    """windows-1252 text if it reads like a Western language: few non-ASCII letters, and
    those mostly Latin-1 letters. Detectors guess poorly on short Swedish text, and
    undeclared 8-bit mail from Swedish senders is almost always windows-1252."""
    text = data.decode("cp1252", "replace")
    alpha = high = latin = 0
    for ch in text:
        if ch.isalpha():
            alpha += 1
        if ord(ch) > 127:
            high += 1
            if "\u00c0" <= ch <= "\u00ff" or ch in "€‘’“”–—…•":
                latin += 1
    if not high:
        return text
    if alpha and high / alpha < 0.8 and latin / high >= 0.8:
        return text
    return None


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:MAX_DETECT]).best()
    except Exception:  # noqa: BLE001 - a third-party guesser must never break parsing
        return None
    if best is None:
        return None
    return _text_codec(best.encoding)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as windows-1252/latin-1 ('SmÃ¥land' -> 'Småland') when that lowers
    the number of mojibake markers; otherwise return the text unchanged."""
    if "Ã" not in text and "Â" not in text and "â€" not in text:
        return text
    for _ in range(3):  # text can be double- or triple-encoded; each round must improve
        before = len(_MOJIBAKE.findall(text))
        if not before:
            return text
        for enc in ("cp1252", "latin-1"):
            try:
                fixed = text.encode(enc).decode("utf-8")
            except (UnicodeError, ValueError):
                continue
            if len(_MOJIBAKE.findall(fixed)) < before:
                text = fixed
                break
        else:
            return text
    return text


def decode_header_value(value: str | None) -> str:
    """A header value with RFC 2047 encoded words decoded; raw 8-bit bytes (kept by the
    stdlib as surrogate escapes) decoded as UTF-8 or guessed. Never raises."""
    if not value:
        return ""
    if isinstance(value, bytes):
        value = decode_bytes(value)
    value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    if "=?" not in value:
        return repair_mojibake(value)
    from email.header import decode_header

    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw text
        return repair_mojibake(value)
    out: list[str] = []
    for chunk, cs in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, cs))
        else:
            out.append(chunk)
    return repair_mojibake("".join(out))
