"""The navigation's counts, kept for a short time in each process.

Every page a user sees names, in its navigation, how many of their follow-ups are due and
how much mail waits to be registered. Counting that on every request repeats the same work
to show the same number: each process keeps the answers here, by name and key (the user),
for ``NAV_COUNTS_SECONDS`` (default 30).

What a kept number may be, honestly:

- In the process that changed what it counts, the next request shows the change. The
  writer marks the change in its session (``stale_after_commit``); when that transaction
  commits (or rolls back) the process forgets every answer of that name.
- The other processes (gunicorn's other workers, the mail gateway, the IMAP poller) cannot
  reach this process's memory: a change made there shows here within the TTL. So do changes
  that move responsibility without touching a follow-up (a case's officer, a group's
  members, a user's role).

That is acceptable because the count is a pointer, not the record: the list it leads to (My
follow-ups, To register) is read from the database on every request, so nobody acts on an
old number, and a count a few seconds late on another worker misleads nobody. The honest
alternative, a version number in the database bumped by every change, would put a write to
one hot row in every follow-up transaction and a read in every request: this way the cached
request reads nothing.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from caseapp.extensions import db

DEFAULT_SECONDS = 30
# The session's note of which caches' names its transaction made stale.
_STALE = "navcache_stale"


class NavCache:
    """Answers by (name, key), each kept ``seconds`` from when it was computed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[tuple[str, Hashable], tuple[float, Any]] = {}

    def get(self, name: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The kept answer for ``(name, key)``, or ``compute()``'s, kept from now on."""
        now = time.monotonic()
        entry = self._entries.get((name, key))
        if entry is not None and entry[0] > now:
            return entry[1]
        value = compute()
        if self.seconds > 0:
            self._entries[(name, key)] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        """Drop every answer."""
        self._entries.clear()

    def forget(self, name: str) -> None:
        """Drop every answer of ``name`` (for all keys)."""
        for entry in [k for k in self._entries if k[0] == name]:
            self._entries.pop(entry, None)


def _cache() -> NavCache:
    return current_app.extensions["navcache"]


def cached(name: str, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer for ``(name, key)``, kept for a short time in this process."""
    return _cache().get(name, key, compute)


def stale_after_commit(name: str) -> None:
    """The current transaction changes what the answers of ``name`` count: this process
    forgets them when it commits or rolls back (an answer computed meanwhile saw rows that
    may still vanish, or that are about to become everybody's)."""
    db.session.info.setdefault(_STALE, set()).add((_cache(), name))


def _forget_stale(session) -> None:
    for cache, name in session.info.pop(_STALE, ()):
        cache.forget(name)


def init_app(app: Flask) -> None:
    """Give the app its cache; listen (once) for the sessions' ends."""
    app.extensions["navcache"] = NavCache(
        float(app.config.get("NAV_COUNTS_SECONDS", DEFAULT_SECONDS))
    )
    for event in ("after_commit", "after_rollback"):
        if not sa.event.contains(db.session, event, _forget_stale):
            sa.event.listen(db.session, event, _forget_stale)
