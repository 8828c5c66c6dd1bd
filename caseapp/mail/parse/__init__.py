"""Parse mail - pasted text, .eml, .mbox or Outlook .msg - into a chain of messages.

Pure: no Flask and no database, so the CLI, the SMTP gateway, the IMAP poller and the
importer share it, and it can be benchmarked and fuzzed on its own.

Guarantees of ``parse_bytes`` / ``parse_text``:
- the only exception raised is ``MailParseError`` (input over ``max_size``, input that is
  not mail at all; malformed but readable mail parses, with ``diagnostics``);
- work and memory are bounded (attachments, nesting depth, text searched for quotes) and
  linear in the input: HTML is read in one pass that keeps at most ``html.MAX_DEPTH``
  elements open, and a thread is searched for quoted messages within ``chain.MAX_WORK``
  characters (``bench/fuzz_parse.py`` measures the worst time per MB over hostile shapes);
- messages come outermost first, each with its own body only (see ``build`` for how kinds
  are decided, ``labels`` for the header labels and separators read, ``phrases`` for the
  follow-up phrases and how their due dates are chosen, and ``times`` for how a message's
  time is read against the message it quotes);
- ``ParsedChain.automatic`` says why a mail is automatic (``automatic``) and
  ``ParsedChain.delivery_report`` what a bounce reports (``reports``); a delivery report is
  a chain of one message, whose returned mail is an attachment.

An .mbox with several messages given to ``parse_bytes`` yields the first message's chain and
a diagnostic; ``parse_mbox`` returns one chain per message.
"""

from __future__ import annotations

from .followups import find_followups
from .model import (
    Address,
    AttachmentInfo,
    DeliveryReport,
    FollowUpProposal,
    MailParseError,
    ParsedChain,
    ParsedMessage,
    Signature,
)
from .subjects import normalize_subject

__all__ = [
    "Address",
    "AttachmentInfo",
    "DeliveryReport",
    "FollowUpProposal",
    "MailParseError",
    "ParsedChain",
    "ParsedMessage",
    "Signature",
    "find_followups",
    "normalize_subject",
    "parse_bytes",
    "parse_mbox",
    "parse_text",
]

DEFAULT_MAX_SIZE = 50 * 1024 * 1024


def _guarded(fn, *args) -> ParsedChain:
    from .model import MailParseError as _E

    try:
        return fn(*args)
    except _E:
        raise
    except RecursionError as exc:
        raise _E("mail nested too deeply to read") from exc
    except MemoryError as exc:
        raise _E("mail too large to read in memory") from exc
    except Exception as exc:  # noqa: BLE001 - the documented contract: one error type only
        raise _E(f"internal parser failure ({type(exc).__name__}: {exc})"[:300]) from exc


def parse_bytes(
    data: bytes, *, filename: str | None = None, max_size: int = DEFAULT_MAX_SIZE
) -> ParsedChain:
    """Parse a mail file's bytes (.eml, .mbox, .msg, or pasted text saved to a file).

    Raises ``MailParseError`` if ``data`` exceeds ``max_size`` bytes or is not mail at all.
    """
    from .build import chain_from_bytes, chain_from_text

    if isinstance(data, str):
        if len(data) > max_size:
            raise MailParseError(f"input of {len(data)} characters exceeds {max_size}")
        return _guarded(chain_from_text, data)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise MailParseError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_size:
        raise MailParseError(f"input of {len(data)} bytes exceeds the limit of {max_size} bytes")
    if not data.strip():
        raise MailParseError("empty input: not mail")
    return _guarded(chain_from_bytes, data, filename)


def parse_text(text: str) -> ParsedChain:
    """Parse pasted text: an optional header block ("Från: … Till: … Ämne: …") at the top,
    then the body with any forwarded or quoted messages. Raw RFC 5322 source pasted as text
    is parsed as an .eml. Raises ``MailParseError`` if the text has no mail structure."""
    from .build import chain_from_text

    if not isinstance(text, str):
        raise MailParseError(f"expected str, got {type(text).__name__}")
    if len(text) > DEFAULT_MAX_SIZE:
        raise MailParseError(f"input of {len(text)} characters exceeds {DEFAULT_MAX_SIZE}")
    return _guarded(chain_from_text, text)


def parse_mbox(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> list[ParsedChain]:
    """One chain per message of an mbox file. A message that cannot be read is skipped;
    the next chain gets a diagnostic saying so. Raises ``MailParseError`` only if the whole
    input is too large or holds no mail at all."""
    from .build import chain_from_mime, split_mbox

    if len(data) > max_size:
        raise MailParseError(f"input of {len(data)} bytes exceeds the limit of {max_size} bytes")
    chains: list[ParsedChain] = []
    skipped: list[str] = []
    for i, part in enumerate(split_mbox(bytes(data).lstrip())):
        try:
            chain = _guarded(chain_from_mime, part, "mbox")
        except MailParseError as exc:
            skipped.append(f"mbox message {i} skipped: {exc}")
            continue
        chain.diagnostics[:0] = skipped
        skipped = []
        chains.append(chain)
    if not chains:
        raise MailParseError("no readable messages in mbox: not mail")
    return chains
