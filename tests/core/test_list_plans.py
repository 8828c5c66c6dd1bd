"""Every list page reads along an index: SQLite's plan of each statement the page sends,
first page and a later one, with the parameters it sent (tests/plans.py).

Add a page: a ``PAGES`` entry naming its URL (from the ``world`` below) and the index
walks its first page may make, each bounded by the page's LIMIT.
"""

import pytest

from caseapp.cases.models import CaseStatus
from caseapp.directory.services import create_contact, create_mailbox
from caseapp.documents.models import PartyRole
from caseapp.documents.services import PartyInput
from caseapp.extensions import db
from tests.pages import page_links
from tests.plans import plan_problems

NUMBER = "cases:ix_cases_year_seq"

# name: (url from the world, allowed walks of the first page)
PAGES = {
    "case list": (lambda w: "/cases/", {NUMBER}),
    "case list, oldest number": (lambda w: "/cases/?sort=number_asc", {NUMBER}),
    "case list, title": (lambda w: "/cases/?sort=title", {"cases:ix_cases_title"}),
    "case list, opened": (lambda w: "/cases/?sort=opened", {"cases:ix_cases_opened_at"}),
    "case list, updated": (lambda w: "/cases/?sort=updated", {"cases:ix_cases_updated_at"}),
    "case list, open": (lambda w: "/cases/?status=open", set()),
    "case list, open by title": (lambda w: "/cases/?status=open&sort=title", set()),
    "case list, open by opened": (lambda w: "/cases/?status=open&sort=opened", set()),
    "case list, open by updated": (lambda w: "/cases/?status=open&sort=updated", set()),
    "case list, organisation": (lambda w: f"/cases/?organisation=%5B{w['org']}%5D", set()),
    "case list, officer": (lambda w: f"/cases/?officer={w['officer']}", set()),
    "case list, series": (lambda w: f"/cases/?series={w['series']}", set()),
    # No index finds a substring: the text filter walks the number order (issue #11).
    "case list, text": (lambda w: "/cases/?q=rende", {NUMBER}),
    "organisations": (lambda w: "/directory/organisations", set()),
    "contacts": (lambda w: "/directory/contacts", {"contacts:ix_contacts_listed"}),
    "mailboxes": (lambda w: "/directory/mailboxes", set()),
    "organisation": (lambda w: f"/directory/organisations/{w['org']}", set()),
    "contact": (lambda w: f"/directory/contacts/{w['contact']}", set()),
    "mailbox": (lambda w: f"/directory/mailboxes/{w['mailbox']}", set()),
}


@pytest.fixture
def world(app, factory):
    """A few of everything, and a page size of 2, so that every list has a second page."""
    app.config["CASES_PER_PAGE"] = app.config["DIRECTORY_PER_PAGE"] = 2
    org = factory.organisation("Ånge kommun")
    officer = factory.user("officer")
    series = factory.series("SSC")
    contact = create_contact(name="Anna", emails=["anna@ange.se"], organisation=org, actor=None)
    box = create_mailbox(address="postlista@ange.se", name="Postlista", actor=None)
    for i in range(5):
        factory.organisation(f"Kommun {i}")
        create_contact(name=f"Kontakt {i}", emails=[f"k{i}@ange.se"], actor=None)
        create_mailbox(address=f"box{i}@ange.se", name=f"Box {i}", actor=None)
        case = factory.case(f"Ärende {i}", series=series, organisation=org, officer=officer)
        factory.document(
            case,
            parties=[
                PartyInput(PartyRole.FROM, "Anna", "anna@ange.se"),
                PartyInput(PartyRole.TO, "Postlista", "postlista@ange.se"),
            ],
        )
    db.session.commit()
    return {
        "org": org.id,
        "officer": officer.id,
        "series": series.id,
        "contact": contact.id,
        "mailbox": box.id,
        "status": CaseStatus.OPEN,
    }


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_list_page_reads_along_an_index(client, login_as, world, count_queries, name):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    url, walks = PAGES[name]
    login_as("reader")  # need-to-know narrows what a reader's lists read
    with count_queries() as first:
        body = client.get(url(world)).get_data(as_text=True)
    assert plan_problems(first, walks) == []
    later = page_links(body).get("Next page")
    assert later, f"{name} has no second page to check"
    with count_queries() as second:
        client.get(later)
    assert plan_problems(second) == []  # a later page searches from its cursor, no walk


def test_the_check_sees_a_sort_without_an_index(client, login_as, world, count_queries):
    # The guard guards: a list ordered by a column no index holds is reported.
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    from sqlalchemy import text

    with count_queries() as log:
        db.session.execute(text("SELECT id FROM documents ORDER BY subject LIMIT 5")).all()
        db.session.execute(text("SELECT id FROM parties WHERE name = 'x'")).all()
    problems = plan_problems(log)
    assert len(problems) == 3, problems  # the sort and its scan; the unindexed filter
