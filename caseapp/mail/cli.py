"""``mail`` command group: ``mail parse PATH [--json]``.

Imports only click and the pure parser, so the app can ``app.cli.add_command(mail_cli)``
without this module pulling in anything else at import time.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("mail")
def mail_cli() -> None:
    """Mail: parse files, import them into cases."""


@mail_cli.command("parse")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (a stable shape).")
def parse_command(path: Path, as_json: bool) -> None:
    """Parse a mail file (.eml, .mbox, .msg or pasted text) and show its messages."""
    from .parse import MailParseError, parse_bytes

    try:
        chain = parse_bytes(path.read_bytes(), filename=path.name)
    except MailParseError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(chain.to_json_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{path.name}: {len(chain.messages)} message(s), format {chain.source_format}")
    for i, m in enumerate(chain.messages):
        who = f"{m.sender.name} <{m.sender.email}>" if m.sender else "(unknown sender)"
        click.echo(f"  [{i}] {m.kind:8} {m.sent_as_written or '-':25} {who}")
        click.echo(f"      {m.subject or '(no subject)'}")
        if m.to:
            click.echo("      to: " + ", ".join(a.email or a.name for a in m.to))
        if m.cc:
            click.echo("      cc: " + ", ".join(a.email or a.name for a in m.cc))
        for a in m.attachments:
            click.echo(f"      attachment: {a.filename} ({a.media_type}, {a.size} bytes)")
    for f in chain.followups:
        click.echo(f"  follow-up {f.due.isoformat()} (message {f.message_index}): {f.phrase}")
    for d in chain.diagnostics:
        click.echo(f"  note: {d}")
