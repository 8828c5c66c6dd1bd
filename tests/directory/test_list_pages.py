"""The directory, page by page: every list reaches its second and last page (they were a
500 once), a record's page lists its documents or cases a page at a time, newest first,
and each page sends the same statements for 3 rows as for 30."""

import html
import re

import pytest

from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_contact, create_mailbox
from caseapp.documents.models import PartyRole
from caseapp.documents.services import PartyInput
from caseapp.extensions import db
from tests.pages import page_links, walk


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.fixture
def two_per_page(app):
    app.config["DIRECTORY_PER_PAGE"] = 2


def _rows(body: str) -> list[str]:
    """The first cell of each row of the page's tables (a name, an address, a number)."""
    cells = re.findall(r'<th scope="row">\s*<a [^>]*>([^<]*)</a>', body)
    return [html.unescape(c) for c in cells]


def _organisations(n: int, factory) -> list:
    return [factory.organisation(f"Org{factory._next():03d}") for _ in range(n)]


def _contacts(n: int, factory) -> list:
    org = factory.organisation("Ånge kommun")
    made = []
    for _ in range(n):
        i = factory._next()
        made.append(
            create_contact(
                name=f"Kontakt{i:03d}", emails=[f"k{i}@ange.se"], organisation=org, actor=None
            )
        )
    return made


def _mailboxes(n: int, factory) -> list:
    org = factory.organisation("Ånge kommun")
    return [
        create_mailbox(address=f"box{i:03d}@ange.se", name=f"Box {i}", organisation=org, actor=None)
        for i in (factory._next() for _ in range(n))
    ]


LISTS = {
    "/directory/organisations": (_organisations, lambda o: o.name),
    "/directory/contacts": (_contacts, lambda c: c.name),
    "/directory/mailboxes": (_mailboxes, lambda m: m.address),
}


@pytest.mark.parametrize("url", sorted(LISTS))
def test_each_list_reaches_its_second_and_last_page(client, login_as, factory, two_per_page, url):
    make, label = LISTS[url]
    names = sorted(label(r) for r in make(5, factory))
    db.session.commit()
    login_as("reader")
    bodies = walk(client, url)
    assert len(bodies) == 3
    assert [n for b in bodies for n in _rows(b) if n in names] == names
    assert "Showing 3–4 of" in bodies[1] and "Next page" not in page_links(bodies[2])
    assert "Previous page" in page_links(bodies[2]) and "First page" in page_links(bodies[2])


def test_the_organisation_list_pages_keep_the_search_and_kind(
    client, login_as, factory, two_per_page
):
    for i in range(5):
        factory.organisation(f"Kommun {i}")
    factory.organisation("Bolaget AB", kind="company")
    db.session.commit()
    login_as("reader")
    bodies = walk(client, "/directory/organisations?q=kommun&kind=municipality")
    assert len(bodies) == 3 and "Showing 5–5 of 5." in bodies[2]
    assert all("Bolaget" not in b for b in bodies)


def test_a_tampered_directory_cursor_is_a_bad_request(client, login_as, factory, two_per_page):
    _contacts(5, factory)
    db.session.commit()
    login_as("reader")
    next_url = page_links(client.get("/directory/contacts").get_data(True))["Next page"]
    response = client.get(next_url[:-3] + "xyz")
    assert response.status_code == 400
    assert "Kontakt" in response.get_data(True)


# ---------------------------------------------------------------- a record's page


def _to(address: str) -> list[PartyInput]:
    return [
        PartyInput(PartyRole.FROM, "Paul Larsson", "paul.larsson@statenssc.se"),
        PartyInput(PartyRole.TO, "Mottagare", address),
        PartyInput(PartyRole.CC, "Mottagare igen", address),  # the same party twice: once
    ]


def _documents(n: int, factory, address: str) -> list:
    case = factory.case("Servicekontor")
    return [factory.document(case, subject=f"Handling {i}", parties=_to(address)) for i in range(n)]


def test_a_mailbox_page_lists_its_documents_a_page_at_a_time(
    client, login_as, factory, two_per_page
):
    box = create_mailbox(
        address="postlista@ange.se", name="Postlista", kind=MailboxKind.REGISTRY, actor=None
    )
    docs = _documents(5, factory, "postlista@ange.se")
    factory.document(subject="Annan", parties=_to("annan@ange.se"))
    db.session.commit()
    login_as("reader")
    bodies = walk(client, f"/directory/mailboxes/{box.id}")
    numbers = [d.number for d in reversed(docs)]  # newest first
    assert [n for b in bodies for n in _rows(b)] == numbers
    assert "Showing 1–2 of 5." in bodies[0] and "Showing 5–5 of 5." in bodies[2]


def test_a_contact_page_lists_its_documents_a_page_at_a_time(
    client, login_as, factory, two_per_page
):
    contact = create_contact(name="Anna", emails=["anna@ange.se"], actor=None)
    docs = _documents(3, factory, "anna@ange.se")
    db.session.commit()
    login_as("reader")
    bodies = walk(client, f"/directory/contacts/{contact.id}")
    assert [n for b in bodies for n in _rows(b)] == [d.number for d in reversed(docs)]
    assert len(bodies) == 2 and "Showing 3–3 of 3." in bodies[1]


def test_an_organisation_page_lists_its_cases_a_page_at_a_time(
    client, login_as, factory, two_per_page
):
    org = factory.organisation("Ånge kommun")
    cases = [factory.case(f"Ärende {i}", organisation=org) for i in range(5)]
    factory.case("Annat ärende")
    db.session.commit()
    login_as("reader")
    bodies = walk(client, f"/directory/organisations/{org.id}")
    shown = [row for b in bodies for row in _rows(b) if row.startswith("KS ")]
    assert shown == [c.number for c in reversed(cases)]
    assert "Showing 5–5 of 5." in bodies[2]


# ---------------------------------------------------------------- statements per page


def _statements(client, count_queries, url: str) -> int:
    client.get(url)  # after a commit the test's first request reloads the logged-in user
    with count_queries() as log:
        assert client.get(url).status_code == 200
    return len(log)


def _lists(make, url):
    return lambda factory: (url, lambda n: make(n, factory))


def _contact_page(factory):
    contact = create_contact(name="Anna", emails=["anna@ange.se"], actor=None)
    return f"/directory/contacts/{contact.id}", lambda n: _documents(n, factory, "anna@ange.se")


def _mailbox_page(factory):
    box = create_mailbox(address="postlista@ange.se", name="Postlista", actor=None)
    url = f"/directory/mailboxes/{box.id}"
    return url, lambda n: _documents(n, factory, "postlista@ange.se")


def _organisation_page(factory):
    org = factory.organisation("Ånge kommun")

    def add(n):
        for _ in range(n):
            i = factory._next()
            factory.case(f"Ärende {i}", organisation=org, officer=factory.user("officer"))
            create_contact(name=f"K{i}", emails=[f"k{i}@ange.se"], organisation=org, actor=None)
            create_mailbox(address=f"b{i}@ange.se", name=f"B{i}", organisation=org, actor=None)

    return f"/directory/organisations/{org.id}", add


# Each page's statements, the same for 3 rows as for 30 (pinned: a change is on purpose),
# with the navigation's counts already kept from an earlier request.
PAGES = {
    "organisations": (_lists(_organisations, "/directory/organisations"), 4),
    "contacts": (_lists(_contacts, "/directory/contacts"), 4),
    "mailboxes": (_lists(_mailboxes, "/directory/mailboxes"), 3),
    "contact": (_contact_page, 5),
    "mailbox": (_mailbox_page, 4),
    "organisation": (_organisation_page, 8),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_statements_do_not_grow_with_the_rows(client, login_as, factory, count_queries, name):
    setup, pinned = PAGES[name]
    login_as("registrar")  # who sees the merge form too
    url, add = setup(factory)
    add(3)
    db.session.commit()
    few = _statements(client, count_queries, url)
    add(27)
    db.session.commit()
    assert (few, _statements(client, count_queries, url)) == (pinned, pinned), name
