"""Every row of the label table (caseapp.mail.parse.labels.TABLE) in a mail that uses it.

A header label is put in a quoted header block as the only label of its field; an
informational line is put between "To" and "Subject", where it used to end the block and
lose the subject; a separator and Apple Mail's forward line are put above a block."""

from __future__ import annotations

import pytest

from caseapp.mail.parse import parse_text
from caseapp.mail.parse.headers import is_separator, label_of
from caseapp.mail.parse.labels import HEADER_FIELDS, LABELS, TABLE

OUTER = (
    "Från: Kim Kommun <kim.kommun@ange.se>\n"
    "Skickat: den 8 juni 2021 09:00\n"
    "Till: Registrator <registrator@ange.se>\n"
    "Ämne: VB: Ämnesrad 42\n\n"
    "För kännedom.\n\n"
)
VALUES = {
    "from": "Anna Exempel <anna@exempel.eu>",
    "sent": "2021-06-07 13:42",
    "date": "2021-06-07 13:42",
    "to": "Bo Mottagare <bo@exempel.eu>",
    "cc": "Cee Kopia <cee@exempel.eu>",
    "bcc": "Dee Dold <dee@exempel.eu>",
    "subject": "Ämnesrad 42",
    "reply_to": "Svar <svar@exempel.eu>",
}
BODY = "\n\nHej, här är texten.\n"


def _rows(kinds):
    return [
        pytest.param(lang, kind, word, id=f"{lang}-{kind}-{word}")
        for lang, table in TABLE.items()
        for kind, words in table.items()
        if kind in kinds
        for word in words
    ]


def _block(label_for: dict[str, str], extra_after_to: str = "") -> str:
    """From, date, To, (the field under test), Subject: each with the given label."""
    lines = []
    for f in ("from", "sent", "to"):
        lines.append(f"{label_for[f]}: {VALUES[f]}")
    if extra_after_to:
        lines.append(extra_after_to)
    for f in ("cc", "bcc", "reply_to"):
        if f in label_for:
            lines.append(f"{label_for[f]}: {VALUES[f]}")
    lines.append(f"{label_for['subject']}: {VALUES['subject']}")
    return "\n".join(lines)


ENGLISH = {"from": "From", "sent": "Sent", "to": "To", "subject": "Subject"}


def _inner(text: str):
    chain = parse_text(text)
    assert len(chain.messages) == 2, [m.sender for m in chain.messages]
    return chain.messages[1]


@pytest.mark.parametrize("lang,field,label", _rows(HEADER_FIELDS))
def test_each_header_label_reads_its_field(lang, field, label):
    labels = dict(ENGLISH)
    if field == "date":
        labels.pop("sent")
    labels["sent" if field == "date" else field] = label
    block = _block(labels).replace(f"{label}: {VALUES['sent']}", f"{label}: {VALUES['date']}")
    inner = _inner(OUTER + block + BODY)
    assert inner.body == "Hej, här är texten."
    if field == "from":
        assert inner.sender.email == "anna@exempel.eu"
    elif field in ("sent", "date"):
        assert inner.sent_as_written == "2021-06-07T13:42"
    elif field in ("to", "cc", "bcc"):
        address = {"to": "bo", "cc": "cee", "bcc": "dee"}[field] + "@exempel.eu"
        assert [a.email for a in getattr(inner, field)] == [address]
    elif field == "subject":
        assert inner.subject == "Ämnesrad 42"
    else:  # reply_to: read as part of the block, not left in the body
        assert inner.subject == "Ämnesrad 42" and "svar@" not in inner.body


@pytest.mark.parametrize("lang,kind,label", _rows({"info"}))
def test_an_informational_line_does_not_end_the_block(lang, kind, label):
    inner = _inner(OUTER + _block(ENGLISH, f"{label}: Hög / bilaga.pdf") + BODY)
    assert inner.subject == "Ämnesrad 42"
    assert inner.body == "Hej, här är texten."


@pytest.mark.parametrize("lang,kind,text", _rows({"forward", "original"}))
def test_each_separator_introduces_the_block_below_it(lang, kind, text):
    for line in (f"---------- {text} ----------", f"-----{text}-----"):
        assert is_separator(line) == kind
        chain = parse_text(OUTER + line + "\n" + _block(ENGLISH) + BODY)
        assert [m.sender.email for m in chain.messages] == ["kim.kommun@ange.se", "anna@exempel.eu"]
        assert chain.messages[0].body == "För kännedom."


@pytest.mark.parametrize("lang,kind,text", _rows({"apple"}))
def test_each_apple_mail_forward_line_plain_and_quoted(lang, kind, text):
    quoted = (
        "\n".join("> " + x for x in _block(ENGLISH).split("\n")) + "\n>\n> Hej, här är texten.\n"
    )
    for marker in (f"{text}:", f"{text} :"):
        assert is_separator(marker) == "forward"
        for rest in (_block(ENGLISH) + BODY, quoted):
            chain = parse_text(OUTER + marker + "\n\n" + rest)
            senders = [m.sender.email for m in chain.messages]
            assert senders == ["kim.kommun@ange.se", "anna@exempel.eu"], (marker, rest)
            assert chain.messages[0].kind == "forward"
            assert chain.messages[1].body == "Hej, här är texten."
    # the marker itself quoted, as Apple Mail writes a forward inside a reply
    inner = "\n".join("> " + x for x in (f"{text}:\n\n" + _block(ENGLISH) + BODY).split("\n"))
    chain = parse_text(OUTER + inner)
    assert [m.sender.email for m in chain.messages][-1] == "anna@exempel.eu"


def test_no_label_belongs_to_two_fields_and_the_old_labels_are_kept():
    # the labels the parser read before the table existed
    old = str.split(
        "från from fra lähettäjä von de van od da afsender avsändare avsender skickat sent "
        "sendt lähetetty gesendet envoyé verzonden inviato wysłano enviado datum date dato "
        "päivämäärä päiväys data fecha till to til vastaanottaja an à aan modtager mottaker "
        "mottagare a para do kopia cc kopi kopio kopie cópia dw bcc blindkopi blindkopia "
        "piilokopio blindkopie ämne subject emne aihe betreff objet onderwerp oggetto asunto "
        "temat assunto rubrik"
    )
    assert [w for w in old if w not in LABELS] == []
    assert LABELS["hemlig kopia"] == "bcc" and LABELS["svara till"] == "reply_to"


OLD_SEPARATORS = [
    # lines the parser recognised before the table existed
    ("---------- Forwarded message ---------", "forward"),
    ("-------- Forwarded e-mail --------", "forward"),
    ("Vidarebefordrat meddelande", "forward"),
    ("----- Vidarebefordrat ebrev -----", "forward"),
    ("=== Weitergeleitete Nachricht ===", "forward"),
    ("__ Välitetty viesti __", "forward"),
    ("-----Original Message-----", "original"),
    ("-----Original email message-----", "original"),
    ("-----Oryginalna wiadomość-----", "original"),
    ("-----Исходное сообщение-----", "original"),
    ("Begin forwarded message:", "forward"),
    ("Start på videresendt e-post:", "forward"),
    ("Välitetty viesti alkaa:", "forward"),
    ("________________________________", "rule"),
    ("---", "rule"),
]


@pytest.mark.parametrize("line,kind", OLD_SEPARATORS)
def test_the_separators_read_before_the_table_still_are(line, kind):
    assert is_separator(line) == kind


@pytest.mark.parametrize(
    "line,kind",
    [
        ("-----", "rule"),
        ("- Forwarded message -", None),  # one dash is prose, not a rule
        ("Original Message", None),  # an original-message text needs its rules
        ("Hej:", None),
        ("Vi skickar ett vidarebefordrat meddelande:", None),
    ],
)
def test_lines_that_are_not_forward_or_original_separators(line, kind):
    assert is_separator(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "De : Claire Martin <claire@lyon.fr>",
        "**De :** Claire Martin <claire@lyon.fr>",
        "Enviado el: lunes, 3 de octubre de 2022 12:30",
        "  Reply-To: x@y.se",
    ],
)
def test_label_spacing_and_multiword_labels(line):
    assert label_of(line) is not None


@pytest.mark.parametrize(
    "line",
    ["Obs: ring mig", "Vi har tre punkter: a, b och c", "Kl. 13:42 ses vi", "Tel: 010-123"],
)
def test_prose_with_a_colon_is_not_a_label(line):
    assert label_of(line) is None
