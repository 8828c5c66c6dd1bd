"""The bytes of enclosed messages (message/rfc822 parts), each generated once.

Every enclosed message is kept as an .eml attachment of the message around it, so a
forward nested ten deep is written out at ten levels. The stdlib generator writes a
message with all it encloses, again at every level: a crafted mail of a few hundred
nested messages cost the generator thousands of messages' work. ``Serialised`` remembers
what it wrote for each enclosed message and writes those bytes where the message recurs,
which makes the work linear in the mail; the bytes are the same as ``Message.as_bytes``
with the compat32 policy would give.
"""

from __future__ import annotations

import email.policy
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO


class _Reusing(BytesGenerator):
    """A generator that writes an enclosed message from ``done`` when it has its bytes."""

    done: dict[int, tuple[Message, bytes]]

    def clone(self, fp):
        twin = super().clone(fp)
        twin.done = self.done
        return twin

    def _handle_message(self, msg: Message) -> None:
        # as the stdlib does, the part's first (only) payload is what is written; written
        # here rather than through super(), so that a deep nesting costs no extra frames
        payload = msg.get_payload()
        if not (isinstance(payload, list) and payload):
            super()._handle_message(msg)  # an enclosed message kept as text
            return
        inner = payload[0]
        if id(inner) in self.done:
            self._fp.write(self.done[id(inner)][1])
            return
        fp = self._new_buffer()
        self.clone(fp).flatten(inner, unixfrom=False, linesep=self._NL)
        self._fp.write(fp.getvalue())


class Serialised:
    """``of(msg)``: the compat32 bytes of ``msg``, reusing the bytes of any enclosed message
    written before. Messages are known by identity, and each is kept with its bytes, so
    that no id is reused by another message meanwhile."""

    def __init__(self) -> None:
        self.done: dict[int, tuple[Message, bytes]] = {}

    def of(self, msg: Message) -> bytes:
        fp = BytesIO()
        gen = _Reusing(fp, mangle_from_=False, policy=email.policy.compat32)
        gen.done = self.done
        gen.flatten(msg)
        blob = fp.getvalue()
        self.done[id(msg)] = (msg, blob)
        return blob
