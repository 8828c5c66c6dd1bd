"""The cases web UI: list, case page, opening, editing, registering a document by hand."""

import io
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.lookup import organisation_label
from caseapp.documents import filestore
from caseapp.documents.models import Document, DocumentKind, PartyRole
from caseapp.documents.services import PartyInput
from caseapp.extensions import db
from caseapp.programmes.models import Programme, Round
from caseapp.registry.models import NumberCounter


@pytest.fixture(autouse=True)
def english(client):
    """Assert on the English source texts, whatever the Swedish catalogue holds."""
    with client.session_transaction() as session:
        session["lang"] = "en"


def case_url(case_or_number, suffix: str = "") -> str:
    number = getattr(case_or_number, "number", case_or_number)
    return "/cases/" + quote(number, safe="/") + suffix


def document_url(doc) -> str:
    return "/documents/" + quote(doc.number, safe="/")


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- the list


def test_list_needs_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_list_shows_cases_with_status_as_text(client, login_as, factory):
    org = factory.organisation("Ånge kommun")
    officer = factory.user("officer", name="Erik Handläggare")
    case = factory.case("Servicekontor i Ånge", series=factory.series("SSC"), organisation=org)
    case.officer = officer
    db.session.commit()
    login_as("reader")
    response = client.get("/cases/")
    assert response.status_code == 200
    body = text(response)
    assert f'href="{case_url(case).replace(" ", "%20")}"' in body
    assert "Servicekontor i Ånge" in body
    assert "Ånge kommun" in body
    assert "Erik Handläggare" in body
    assert ">Open</span>" in body
    assert '<th scope="col">' in body


def test_list_filters_really_filter(client, login_as, factory):
    ange = factory.organisation("Ånge kommun")
    kiruna = factory.organisation("Kiruna kommun")
    officer = factory.user("officer", name="Erik")
    ks = factory.series("KS")
    ssc = factory.series("SSC")
    a = factory.case("Alfa ärende", series=ks, organisation=ange, officer=officer)
    b = factory.case("Beta ärende", series=ssc, organisation=kiruna)
    c = factory.case("Gamma 100% säkert", series=ssc, organisation=ange)
    c.status = CaseStatus.CLOSED
    db.session.commit()
    login_as("reader")

    def shown(**params) -> set[str]:
        body = text(client.get("/cases/", query_string=params))
        return {x.title for x in (a, b, c) if x.title in body}

    assert shown() == {"Alfa ärende", "Beta ärende", "Gamma 100% säkert"}
    assert shown(status="closed") == {"Gamma 100% säkert"}
    assert shown(status="open") == {"Alfa ärende", "Beta ärende"}
    assert shown(organisation=organisation_label(kiruna)) == {"Beta ärende"}
    assert shown(officer=officer.id) == {"Alfa ärende"}
    assert shown(series=ssc.id) == {"Beta ärende", "Gamma 100% säkert"}
    assert shown(q="kiruna") == {"Beta ärende"}  # counterpart name
    assert shown(q="ALFA") == {"Alfa ärende"}
    assert shown(q="100%") == {"Gamma 100% säkert"}  # % is literal, not a wildcard
    assert shown(q="%") == {"Gamma 100% säkert"}
    # A nonsense parameter filters nothing and breaks nothing.
    assert shown(organisation="abc", status="bogus") == {a.title, b.title, c.title}


def test_list_keeps_filter_values_in_the_form(client, login_as, factory):
    org = factory.organisation("Kiruna kommun")
    db.session.commit()
    login_as("reader")
    body = text(client.get("/cases/", query_string={"q": "kontor", "organisation": "kiruna"}))
    assert 'value="kontor"' in body
    assert f'value="Kiruna kommun [{org.id}]"' in body  # what was typed, resolved
    assert '<label for="q">Search</label>' in body


def test_list_sorts_by_title(client, login_as, factory):
    for title in ("Bravo", "Charlie", "Alfa"):
        factory.case(title)
    db.session.commit()
    login_as("reader")
    body = text(client.get("/cases/", query_string={"sort": "title"}))
    assert body.index("Alfa") < body.index("Bravo") < body.index("Charlie")
    body = text(client.get("/cases/"))  # default: newest number first
    assert body.index("Alfa") < body.index("Charlie") < body.index("Bravo")


# Paging, counting and bad page input: tests/cases/test_list_pages.py


# ---------------------------------------------------------------- the case page


@pytest.fixture
def seeded_case(factory):
    """The seed in small: an original to Mattias with two Cc, and Ånge's forward of it."""
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    case = factory.case(
        "Etablering av servicekontor", series=factory.series("SSC"), organisation=org
    )
    original = factory.document(
        case,
        kind=DocumentKind.ORIGINAL,
        sent_as_written="den 7 juni 2021 13:42",
        body_text="Hej Mattias,\nStatens servicecenter har fått i uppdrag …",
        parties=[
            PartyInput(PartyRole.FROM, "Paul Larsson", "paul.larsson@statenssc.se"),
            PartyInput(PartyRole.TO, "Mattias Robertsson-Bly", "mattias.robertsson-bly@ange.se"),
            PartyInput(PartyRole.CC, "Ånge kommun", "ange@ange.se"),
            PartyInput(PartyRole.CC, "Clas Heinegård", "clas.heinegard@statenssc.se"),
        ],
    )
    forward = factory.document(
        case,
        kind=DocumentKind.FORWARD,
        subject="VB: Etablering av statliga servicekontor",
        parent=original,
        parties=[
            PartyInput(PartyRole.FROM, "Ånge kommun", "ange@ange.se"),
            PartyInput(
                PartyRole.TO, "Postlista Kommunstyrelsen", "postlista.kommunstyrelsen@ange.se"
            ),
            PartyInput(PartyRole.TO, "Erik Lövgren", "erik.lovgren@ange.se"),
        ],
    )
    db.session.commit()
    return case, original, forward


def test_case_page_lists_each_document_on_one_row(client, login_as, seeded_case):
    case, original, forward = seeded_case
    login_as("reader")
    response = client.get(case_url(case))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert case.number in body and "Ånge kommun" in body
    # Oldest first, each anchored: number, date, direction, subject, counterpart.
    assert body.index('id="doc-1"') < body.index('id="doc-2"')
    row = body[body.index('id="doc-2"') :]
    row = row[: row.index("</tr>")]
    assert f'<a href="{document_url(forward)}">{forward.number}</a>' in row
    assert "2021-06-07" in row and "Incoming" in row
    assert "VB: Etablering av statliga servicekontor" in row and "Ånge kommun" in row
    # The details are the document's page: parties, what it forwards, its text.
    assert "Erik Lövgren" not in body and "Statens servicecenter har fått" not in body
    page = text(client.get(document_url(forward)))
    assert "Postlista Kommunstyrelsen &lt;postlista.kommunstyrelsen@ange.se&gt;" in page
    assert "Erik Lövgren &lt;erik.lovgren@ange.se&gt;" in page
    assert "<dt>To</dt>" in page and "<dt>From</dt>" in page
    assert f'Forwards <a href="{document_url(original)}">{original.number}</a>' in page
    assert "den 7 juni 2021 13:42" in page and "Forward" in page
    page = text(client.get(document_url(original)))
    assert "Clas Heinegård &lt;clas.heinegard@statenssc.se&gt;" in page and "<dt>Cc</dt>" in page
    assert "Statens servicecenter har fått i uppdrag" in page


def test_case_page_works_with_an_encoded_number(client, login_as, seeded_case):
    case, *_ = seeded_case
    login_as("reader")
    encoded = "/cases/" + case.number.replace(" ", "%20")
    assert client.get(encoded).status_code == 200


def test_case_page_shows_the_audit_history(client, login_as, seeded_case):
    case, original, _ = seeded_case
    user = login_as("registrar", name="Rebecka Registrator")
    client.post(
        case_url(case, "/edit"),
        data={"version": case.version, "title": "Nytt namn", "status": "paused"},
    )
    body = text(client.get(case_url(case)))
    assert f'href="{case_url(case, "/history")}"' in body  # loaded on demand
    body = text(client.get(case_url(case, "/history")))
    assert "History" in body
    assert "Opened" in body and "Registered" in body and original.number in body
    assert "Changed" in body and user.name in body
    assert "<del>Etablering av servicekontor</del> → <ins>Nytt namn</ins>" in body
    assert "<del>Open</del> → <ins>Paused</ins>" in body


def test_unknown_case_is_404(client, login_as):
    login_as("officer")
    for url in ("/cases/SSC%202021/999", "/cases/nothing", "/cases/X/edit", "/cases/SSC 2021/1/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in text(response)


# ---------------------------------------------------------------- opening a case


def test_open_case(client, login_as, factory):
    series = factory.series("SSC")
    org = factory.organisation("Ånge kommun")
    programme = Programme(name="Nya statliga servicekontor")
    programme.rounds = [Round(number=2, name="Omgång 2 (2023)")]
    db.session.add(programme)
    db.session.commit()
    officer = login_as("officer", name="Olle Officer")
    response = client.get("/cases/new")
    assert response.status_code == 200
    assert 'for="title"' in text(response)
    response = client.post(
        "/cases/new",
        data={
            "series_id": series.id,
            "title": "Etablering i Ånge",
            "organisation_id": org.id,
            "officer_id": officer.id,
            "round_id": programme.rounds[0].id,
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.title == "Etablering i Ånge"
    assert case.organisation_id == org.id and case.officer_id == officer.id
    # Choosing a round chooses its programme.
    assert case.programme_id == programme.id and case.round_id == programme.rounds[0].id
    assert response.headers["Location"] == case_url(case).replace(" ", "%20")
    page = text(client.get(response.headers["Location"]))
    assert f"Opened case {case.number}." in page
    assert "Omgång 2 (2023)" in page
    assert count(AuditEvent, AuditEvent.action == "open", AuditEvent.case_id == case.id) == 1


def test_open_case_with_errors_keeps_input_and_creates_nothing(client, login_as, factory):
    series = factory.series("SSC")
    db.session.commit()
    login_as("officer")
    response = client.post(
        "/cases/new",
        data={
            "series_id": series.id,
            "title": "  ",
            "description": "Min text som inte får försvinna",
            "confidential": "y",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert "Give the case a title." in body
    assert "A confidential case needs its legal basis." in body
    assert "Min text som inte får försvinna" in body
    assert 'class="error-summary"' in body
    assert count(Case) == 0
    assert count(NumberCounter) == 0


def test_open_case_refuses_a_closed_series(client, login_as, factory):
    series = factory.series("OLD")
    series.active = False
    db.session.commit()
    login_as("officer")
    response = client.post("/cases/new", data={"series_id": series.id, "title": "X"})
    assert response.status_code == 400
    assert count(Case) == 0


def test_reader_cannot_open_a_case(client, login_as, factory):
    series = factory.series("SSC")
    db.session.commit()
    login_as("reader")
    assert client.get("/cases/new").status_code == 403
    response = client.post("/cases/new", data={"series_id": series.id, "title": "Smygöppnat"})
    assert response.status_code == 403
    assert count(Case) == 0


# ---------------------------------------------------------------- editing a case


def test_edit_case_and_close_it(client, login_as, factory):
    case = factory.case("Gammal titel")
    db.session.commit()
    login_as("officer")
    form = text(client.get(case_url(case, "/edit")))
    assert f'name="version" type="hidden" value="{case.version}"' in form
    response = client.post(
        case_url(case, "/edit"),
        data={
            "version": case.version,
            "title": "Ny titel",
            "status": "closed",
            "confidential": "y",
            "legal_basis": "OSL 21 kap. 7 §",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.title == "Ny titel"
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.legal_basis == "OSL 21 kap. 7 §"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.before["title"] == "Gammal titel" and event.after["title"] == "Ny titel"


def test_stale_edit_is_refused_and_keeps_what_was_typed(client, login_as, factory):
    case = factory.case("Originaltitel")
    db.session.commit()
    stale_version = case.version
    login_as("officer")
    # Someone else saves first.
    assert (
        client.post(
            case_url(case, "/edit"),
            data={"version": stale_version, "title": "Först sparad", "status": "open"},
        ).status_code
        == 302
    )
    response = client.post(
        case_url(case, "/edit"),
        data={"version": stale_version, "title": "Min ändring", "status": "paused"},
    )
    assert response.status_code == 409
    body = text(response)
    # Said on the form, above the fields, with what the user typed still in them.
    summary = body[body.index('class="error-summary"') : body.index('name="title"')]
    assert "Someone else changed this record while you were editing it" in summary
    assert 'value="Min ändring"' in body
    assert '<option selected value="paused">' in body
    assert "Open the current version" in body
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.title == "Först sparad" and case.status == CaseStatus.OPEN
    assert count(AuditEvent, AuditEvent.action == "update") == 1


def test_edit_with_a_tampered_version_is_stale(client, login_as, factory):
    case = factory.case("Titel")
    db.session.commit()
    login_as("officer")
    response = client.post(
        case_url(case, "/edit"), data={"version": "abc", "title": "X", "status": "open"}
    )
    assert response.status_code == 409
    assert 'value="X"' in text(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).title == "Titel"


def test_reader_cannot_edit(client, login_as, factory):
    case = factory.case("Titel")
    db.session.commit()
    login_as("reader")
    response = client.post(
        case_url(case, "/edit"), data={"version": case.version, "title": "X", "status": "open"}
    )
    assert response.status_code == 403


# ---------------------------------------------------------------- registering by hand


def test_register_document_by_hand(client, login_as, factory):
    case = factory.case("Ärende", series=factory.series("SSC"))
    first = factory.document(case)
    db.session.commit()
    user = login_as("registrar")
    form = text(client.get(case_url(case, "/documents/new")))
    assert 'enctype="multipart/form-data"' in form
    assert "One recipient per line: Name &lt;name@example.se&gt;" in form
    assert first.number in form  # can be chosen as the document answered
    pdf = b"%PDF-1.4\x00\xff"
    response = client.post(
        case_url(case, "/documents/new"),
        data={
            "direction": "out",
            "kind": "reply",
            "subject": "Svar om servicekontor",
            "document_date": "2021-06-10",
            "body_text": "Tack för beskedet.",
            "from_name": "Rebecka Registrator",
            "from_address": "rebecka@statenssc.se",
            "to": "Mattias Robertsson-Bly <mattias.robertsson-bly@ange.se>\n"
            "Postlista.Kommunstyrelsen@ange.se\n",
            "cc": '"Lövgren, Erik" <erik.lovgren@ange.se>',
            "parent_id": first.id,
            "attachments": [(io.BytesIO(pdf), "karta.pdf"), (io.BytesIO(b"a;b\n"), "lista.csv")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    expected = f"{case.number}-2"
    assert response.headers["Location"].endswith("#doc-2")
    doc = db.session.scalar(sa.select(Document).where(Document.number == expected))
    assert doc.subject == "Svar om servicekontor"
    assert doc.direction.value == "out" and doc.kind == DocumentKind.REPLY
    assert doc.document_date == date(2021, 6, 10)
    assert doc.parent_id == first.id and doc.registered_by_id == user.id
    roles = [(p.role.value, p.name, p.address) for p in doc.parties]
    assert roles == [
        ("from", "Rebecka Registrator", "rebecka@statenssc.se"),
        ("to", "Mattias Robertsson-Bly", "mattias.robertsson-bly@ange.se"),
        ("to", None, "postlista.kommunstyrelsen@ange.se"),
        ("cc", "Lövgren, Erik", "erik.lovgren@ange.se"),
    ]
    assert [a.filename for a in doc.attachments] == ["karta.pdf", "lista.csv"]
    assert filestore.get(doc.attachments[0].sha256) == pdf
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "register", AuditEvent.summary == expected)
    )
    assert event is not None and event.actor_id == user.id
    page = text(client.get(response.headers["Location"]))
    assert f"Registered as {expected}." in page
    assert f'id="doc-{doc.seq}"' in page
    page = text(client.get(document_url(doc)))
    assert f'Replies to <a href="{document_url(first)}">{first.number}</a>' in page


def test_unquoted_outlook_name_with_a_comma_is_one_recipient(client, login_as, factory):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        case_url(case, "/documents/new"),
        data={
            "direction": "in",
            "kind": "letter",
            "subject": "Brev",
            "to": "Larsson, Paul <paul.larsson@statenssc.se>",
        },
    )
    assert response.status_code == 302
    doc = db.session.scalar(sa.select(Document))
    assert [(p.name, p.address) for p in doc.parties] == [
        ("Larsson, Paul", "paul.larsson@statenssc.se")
    ]


def test_invalid_address_line_changes_nothing(client, login_as, factory):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    data = {
        "direction": "in",
        "kind": "letter",
        "subject": "Mitt ämne",
        "to": "Mattias <mattias@ange.se>\nErik Lövgren <erik.lovgren@>\n",
        "cc": "ok@ange.se",
    }
    response = client.post(case_url(case, "/documents/new"), data=data)
    assert response.status_code == 400
    body = text(response)
    assert "Line 2 is not a valid address: “Erik Lövgren &lt;erik.lovgren@&gt;”" in body
    assert 'value="Mitt ämne"' in body and "Mattias &lt;mattias@ange.se&gt;" in body
    assert count(Document) == 0
    assert count(AuditEvent, AuditEvent.action == "register") == 0
    # The number was not consumed: the next good registration is -1.
    data["to"] = "Mattias <mattias@ange.se>"
    assert client.post(case_url(case, "/documents/new"), data=data).status_code == 302
    assert db.session.scalar(sa.select(Document.number)) == f"{case.number}-1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-02-30", "Enter a real date as YYYY-MM-DD"),
        ("igår", "Enter a real date as YYYY-MM-DD"),
        ((date.today() + timedelta(days=800)).isoformat(), "The date is too far in the future."),
        ("1066-10-14", "The date is too far in the past."),
    ],
)
def test_bad_document_dates_are_refused(client, login_as, factory, value, message):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        case_url(case, "/documents/new"),
        data={"direction": "in", "kind": "letter", "subject": "S", "document_date": value},
    )
    assert response.status_code == 400
    assert message in text(response)
    assert count(Document) == 0


def test_register_needs_subject_and_legal_basis(client, login_as, factory):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        case_url(case, "/documents/new"),
        data={"direction": "in", "kind": "letter", "subject": "", "confidential": "y"},
    )
    assert response.status_code == 400
    body = text(response)
    assert "Give the document a subject." in body
    assert "A confidential document needs its legal basis." in body
    assert count(Document) == 0


def test_parent_must_be_a_document_of_the_same_case(client, login_as, factory):
    case = factory.case("Ett")
    other = factory.document(factory.case("Två"))
    db.session.commit()
    login_as("registrar")
    response = client.post(
        case_url(case, "/documents/new"),
        data={"direction": "in", "kind": "forward", "subject": "S", "parent_id": other.id},
    )
    assert response.status_code == 400
    assert count(Document, Document.case_id == case.id) == 0


def test_reader_cannot_register(client, login_as, factory):
    case = factory.case()
    db.session.commit()
    login_as("reader")
    assert client.get(case_url(case, "/documents/new")).status_code == 403
    response = client.post(
        case_url(case, "/documents/new"),
        data={"direction": "in", "kind": "letter", "subject": "S"},
    )
    assert response.status_code == 403
    assert count(Document) == 0


def test_register_in_unknown_case_is_404(client, login_as):
    login_as("registrar")
    response = client.post(
        "/cases/SSC%202021/404/documents/new",
        data={"direction": "in", "kind": "letter", "subject": "S"},
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- bad input


def test_bad_input_in_urls_and_fields_is_not_a_500(client, login_as, factory):
    series = factory.series("SSC")
    db.session.commit()
    login_as("officer")
    assert client.get("/cases/SSC%00%202021/1").status_code == 404
    assert client.get("/cases/" + "x" * 5000).status_code == 404
    assert client.get("/cases/", query_string={"q": "a\x00b", "page": 10**30}).status_code == 200
    assert client.get("/cases/", query_string={"page": "-5"}).status_code == 200
    response = client.post(
        "/cases/new",
        data={"series_id": series.id, "title": "Nul\x00tecken", "description": "a\x00"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Case.title)) == "Nultecken"
    response = client.post("/cases/new", data={"series_id": "1\x00", "title": "X"})
    assert response.status_code == 400


def test_editing_keeps_an_officer_who_is_no_longer_in_the_list(client, login_as, factory):
    former = factory.user("reader", name="Före detta handläggare")
    case = factory.case("Titel", officer=former)
    db.session.commit()
    login_as("officer")
    form = text(client.get(case_url(case, "/edit")))
    assert f'<option selected value="{former.id}">Före detta handläggare</option>' in form
    response = client.post(
        case_url(case, "/edit"),
        data={"version": case.version, "title": "Ny", "status": "open", "officer_id": former.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).officer_id == former.id


def test_history_names_follow_up_assignees_and_actions(client, login_as, factory):
    from datetime import date

    from caseapp.extensions import db
    from caseapp.followups.services import create_followup

    user = login_as("registrar")
    case = factory.case()
    create_followup(case, title="Återkomma", due=date(2021, 10, 29), actor=user, assignee=user)
    db.session.commit()
    page = client.get(f"/cases/{case.number}/history").get_data(as_text=True)
    assert "assignee_user_id" not in page
    flat = " ".join(page.split())
    assert f"Assigned to:</span> <ins>{user.name}</ins>" in flat
    assert "Added the follow-up “Återkomma”" in flat
