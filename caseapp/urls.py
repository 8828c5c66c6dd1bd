"""What the app takes from a URL: row ids in routes and query strings, and where to go next.

A low module: the pages of every feature use it, and it knows none of them.
"""

import unicodedata
from urllib.parse import urlsplit

from flask import request
from werkzeug.routing import IntegerConverter

# The largest id a row can have: PostgreSQL's integer. A larger number names no row, and
# handed to the database it overflows (a 500) instead of finding nothing (a 404).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in a route: 0 to ``MAX_ID``; a larger number matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_arg(name: str) -> int | None:
    """A row id from the query string or form, or None when it is missing or cannot be one."""
    value = request.values.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Refused: anything with a scheme or host, a path starting with ``//`` or holding a
    backslash (browsers read both as another host), and any control or format character
    (a newline would split the Location header; a bidi control disguises the path).
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if "//" in target or "\\" in target:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
