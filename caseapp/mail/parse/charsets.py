"""Bytes to text, whatever the mail claims its charset is.

``decode_bytes`` never raises: a declared charset is tried first (with ISO-8859-1 read as
windows-1252, as browsers do, because Outlook mislabels), then UTF-8, then charset-normalizer's
guess, then windows-1252 with replacement. Two families get more care, because their mail
is often labelled loosely:

- Japanese: ISO-2022-JP is read as Microsoft's superset (CP50220/50221: the NEC and IBM
  extension rows, such as the circled digits of row 13, that Python's codecs refuse), also
  when undeclared; and a Japanese label on 8-bit text that does not decode as labelled
  is tried as Shift_JIS (CP932) and EUC-JP before anything is guessed;
- Latin-1: text labelled ISO-8859-1 is never guessed at: a byte windows-1252 leaves
  undefined is read as ISO-8859-1 defines it.

``repair_mojibake`` undoes the common double encoding ('Ã¥' for 'å') when the repaired text
has fewer mojibake markers.
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
_LATIN1_LABELS = {"iso-8859-1", "latin1", "latin-1", "iso8859-1", "iso_8859-1", "l1"}
# windows-1252's letters for the C1 bytes it defines; the five it leaves undefined stay C1
_C1_AS_CP1252 = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_JAPANESE = {
    "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3",
    "iso2022_jp_ext", "shift_jis", "cp932", "euc_jp", "shift_jis_2004", "euc_jis_2004",
}  # fmt: skip
_ISO2022_JP_ESC = re.compile(rb"\x1b(\$[@B]|\([BJI]|\$\(D|\$\(Q|\.A|N)")


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
    if (codec is None or codec.startswith("iso2022_jp")) and b"\x1b$" in data:
        jis = _iso2022_jp_cp932(data)
        if jis is not None:
            return jis
    try:
        return repair_mojibake(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if codec in _JAPANESE:
        for other in ("cp932", "euc_jp"):
            try:
                return data.decode(other)
            except UnicodeDecodeError:
                continue
    if charset and charset.strip().strip("\"'").lower() in _LATIN1_LABELS:
        return "".join(_C1_AS_CP1252.get(ord(ch), ch) for ch in data.decode("latin-1"))
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


def _iso2022_jp_cp932(data: bytes) -> str | None:
    """ISO-2022-JP as Windows reads it (CP50220/50221): each JIS X 0208 pair is mapped to
    Shift_JIS and decoded as CP932, whose NEC and IBM rows Python's ISO-2022-JP codecs
    lack; ESC ( I switches to half-width katakana. None if this is not such text (8-bit
    bytes, another ISO-2022 set, or a pair CP932 has no character for)."""
    if max(data, default=0) >= 0x80:
        return None
    out = bytearray()
    mode = b"(B"
    pos = 0
    for m in [*_ISO2022_JP_ESC.finditer(data), None]:
        end = m.start() if m is not None else len(data)
        chunk = data[pos:end]
        if mode in (b"$@", b"$B"):
            i = 0
            while i < len(chunk):
                j1 = chunk[i]
                if not 0x21 <= j1 <= 0x7E or i + 1 >= len(chunk):
                    out.append(j1)  # a line end inside a double-byte run: lenient
                    i += 1
                    continue
                j2 = chunk[i + 1]
                s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
                s2 = j2 + (0x1F if j1 & 1 else 0x7E) + (1 if j1 & 1 and j2 >= 0x60 else 0)
                out += bytes((s1, s2))
                i += 2
        elif mode == b"(I":
            out += bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in chunk)
        elif mode in (b"(B", b"(J"):
            out += chunk
        else:
            return None  # JIS X 0212 or ISO-2022-JP-2's other sets: not CP932
        if m is None:
            break
        mode = m.group(1)
        pos = m.end()
    try:
        return out.decode("cp932")
    except UnicodeDecodeError:
        return None


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
