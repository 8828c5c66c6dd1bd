"""The seed mail, pasted and as .eml, and through the CLI: the exact expectations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from caseapp.mail.cli import mail_cli
from caseapp.mail.parse import Address, parse_bytes, parse_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SEED = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "seed"
    / ("vb-etablering-statliga-servicekontor.txt")
)


def _check_original(m):
    assert m.kind == "original"
    assert m.sender == Address("Paul Larsson", "paul.larsson@statenssc.se")
    assert m.to == [Address("Robertsson-Bly Mattias", "mattias.robertsson-bly@ange.se")]
    assert m.cc == [
        Address("Ange (Funktionsadress för ange@ange.se)", "ange@ange.se"),
        Address("Clas Heinegård", "clas.heinegard@statenssc.se"),
    ]
    assert m.sent_as_written == "2021-06-07T13:42"
    assert m.sent.tzinfo is None
    assert m.subject == "Etablering av statliga servicekontor"
    assert m.subject_normalized == "Etablering av statliga servicekontor"
    assert m.body.startswith("Hej,")
    assert "återkomma till er" in m.body


def test_seed_text(seed_text):
    chain = parse_text(seed_text)
    assert chain.source_format == "text"
    assert len(chain.messages) == 2
    fwd = chain.messages[0]
    assert fwd.kind == "forward"
    assert fwd.sender == Address("Ange (Funktionsadress för ange@ange.se)", "ange@ange.se")
    assert fwd.to == [
        Address("Postlista Kommunstyrelsen", "postlista.kommunstyrelsen@ange.se"),
        Address("Lövgren Erik", "erik.lovgren@ange.se"),
    ]
    assert fwd.sent_as_written == "2021-06-07T12:41:30"
    # as Swedish time the forward (12:41) would precede the original it forwards (13:42):
    # the zone-less ISO time is read as UTC, 14:41:30 in Stockholm
    assert fwd.time_note == "read-as-utc"
    assert fwd.sent == datetime(2021, 6, 7, 12, 41, 30, tzinfo=UTC)
    assert fwd.sent.astimezone(STOCKHOLM).strftime("%H:%M:%S") == "14:41:30"
    assert chain.messages[1].time_note is None
    assert fwd.subject == "VB: Etablering av statliga servicekontor"
    assert fwd.subject_normalized == "Etablering av statliga servicekontor"
    assert fwd.body == ""
    _check_original(chain.messages[1])
    assert [(f.due.isoformat(), f.message_index) for f in chain.followups] == [("2021-10-29", 1)]
    assert "i slutet av oktober 2021" in chain.followups[0].phrase


def test_seed_signature(seed_text):
    sig = parse_text(seed_text).messages[1].signature
    assert sig is not None
    assert sig.name == "Paul Larsson"
    assert sig.title == "Divisionschef Medborgarservice"
    assert sig.organisation == "Statens servicecenter"
    assert sig.phone == "+46(0)72 451 45 28"
    assert sig.postal_address == "Box 11134, 100 61 Stockholm"


def test_seed_as_bytes_equals_text(seed_text):
    a = parse_bytes(seed_text.encode("utf-8")).to_json_dict()
    assert a == parse_text(seed_text).to_json_dict()


def test_seed_eml():
    chain = parse_bytes((FIXTURES / "seed.eml").read_bytes())
    assert chain.source_format == "eml"
    fwd, orig = chain.messages
    assert fwd.kind == "forward" and fwd.sender.email == "ange@ange.se"
    assert fwd.sent_as_written == "2021-06-07T12:41:30+02:00"
    assert fwd.sent.utcoffset().total_seconds() == 7200
    # a stated zone is never reinterpreted: the forward stays before the original, marked
    assert fwd.time_note == "before-quoted"
    assert fwd.message_id == "<seed-forward@ange.se>"
    assert [a.email for a in fwd.to] == [
        "postlista.kommunstyrelsen@ange.se",
        "erik.lovgren@ange.se",
    ]
    _check_original(orig)
    assert [(f.due.isoformat(), f.message_index) for f in chain.followups] == [("2021-10-29", 1)]


def test_cli_json_seed(seed_text):
    result = CliRunner().invoke(mail_cli, ["parse", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"messages", "followups", "diagnostics"}
    m0, m1 = data["messages"]
    assert set(m0) == {
        "kind", "from", "to", "cc", "bcc", "sent", "subject", "subject_normalized", "body",
        "attachments", "time_note",
    }  # fmt: skip
    assert m0["time_note"] == "read-as-utc" and "time_note" not in m1
    assert m0["from"] == {
        "name": "Ange (Funktionsadress för ange@ange.se)",
        "email": "ange@ange.se",
    }
    assert m0["sent"] == "2021-06-07T12:41:30"
    assert m1["sent"] == "2021-06-07T13:42"
    assert m1["cc"][1] == {"name": "Clas Heinegård", "email": "clas.heinegard@statenssc.se"}
    assert data["followups"] == [
        {"due": "2021-10-29", "phrase": "i slutet av oktober 2021", "message_index": 1}
    ]
    assert "Clas Heinegård" in result.output  # ensure_ascii=False


def test_cli_offset_kept():
    result = CliRunner().invoke(mail_cli, ["parse", str(FIXTURES / "seed.eml"), "--json"])
    assert json.loads(result.output)["messages"][0]["sent"] == "2021-06-07T12:41:30+02:00"


def test_cli_summary(seed_text):
    result = CliRunner().invoke(mail_cli, ["parse", str(SEED)])
    assert result.exit_code == 0
    assert "2 message(s)" in result.output and "2021-10-29" in result.output


def test_cli_not_mail(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(bytes(range(256)) * 10)
    result = CliRunner().invoke(mail_cli, ["parse", str(p), "--json"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
