"""The mail import's "done when": paste the seed, review what caseapp found, register it."""

import re

import pytest
from playwright.sync_api import expect
from seed_answer import ssc_answer

from caseapp.auth.models import Role
from caseapp.auth.services import create_user
from caseapp.cases.services import get_case
from caseapp.demo import CASE_TITLE, DEMO_PASSWORD, seed_bytes
from caseapp.directory import services as directory
from caseapp.directory.models import MailboxKind, OrganisationKind
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.importer import ImportDecision, register_inbox_item
from caseapp.mail.models import InboxSource
from caseapp.mail.parse import parse_text

from .conftest import REGISTRAR, log_in


@pytest.fixture
def ange_case(app, factory) -> str:
    """Ånge kommun (ange.se) with its mailboxes and an open case, but no document yet."""
    coordinator = create_user(
        "samordnare@example.org", name="Sam Samordnare", role=Role.OFFICER, password=DEMO_PASSWORD
    )
    create_user(REGISTRAR, name="Rut Registrator", role=Role.REGISTRAR, password=DEMO_PASSWORD)
    ssc = directory.create_organisation(
        name="Statens servicecenter",
        kind=OrganisationKind.AGENCY,
        domains=["statenssc.se"],
        actor=None,
    )
    ange = directory.create_organisation(
        name="Ånge kommun",
        kind=OrganisationKind.MUNICIPALITY,
        domains=["ange.se"],
        municipality_code="2260",
        actor=None,
    )
    directory.create_contact(
        name="Paul Larsson", emails=["paul.larsson@statenssc.se"], organisation=ssc, actor=None
    )
    directory.create_mailbox(
        address="ange@ange.se",
        name="Ånge kommun, funktionsbrevlåda",
        kind=MailboxKind.FUNCTIONAL,
        organisation=ange,
        actor=None,
    )
    directory.create_mailbox(
        address="postlista.kommunstyrelsen@ange.se",
        name="Postlista Kommunstyrelsen",
        kind=MailboxKind.REGISTRY,
        organisation=ange,
        actor=None,
    )
    series = factory.series("SSC", name="Statens servicecenter – etableringar")
    case = factory.case(CASE_TITLE, series=series, organisation=ange, officer=coordinator)
    db.session.commit()
    return case.number


def _slashes(text: str) -> str:
    # Playwright writes a pattern into its selector as /…/ without escaping a slash.
    return re.escape(text).replace("/", r"\/")


def test_paste_the_seed_review_and_register_it_in_the_ange_case(page, ange_case):
    log_in(page)
    page.get_by_role("link", name="To register").click()
    page.get_by_role("link", name="Import mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import mail")
    page.get_by_label("Or paste the mail").fill(seed_bytes().decode("utf-8"))
    page.get_by_role("button", name="Read the mail").click()

    # The review: two messages, outermost first.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register mail")
    expect(page.get_by_role("heading", name="The mail holds 2 messages")).to_be_visible()
    messages = page.get_by_role("article")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text("ange@ange.se")
    expect(messages.nth(0)).to_contain_text("postlista.kommunstyrelsen@ange.se", ignore_case=True)
    expect(messages.nth(1)).to_contain_text("Paul Larsson")
    expect(messages.nth(1)).to_contain_text("Clas Heinegård")
    for n in (0, 1):
        expect(messages.nth(n).get_by_label("Register this message")).to_be_checked()

    # The proposed case is the open one for Ånge kommun.
    expect(page.get_by_label("An existing case")).to_be_checked()
    expect(page.get_by_label("Case number")).to_have_value(ange_case)

    # The promise "i slutet av oktober 2021" as a follow-up due on the last working day.
    followup = page.get_by_role("group", name=re.compile("Promised in message"))
    expect(followup.get_by_label("Create this follow-up")).to_be_checked()
    expect(followup.get_by_label("Title")).to_have_value(re.compile("Ånge kommun"))
    expect(followup.get_by_label("Due")).to_have_value("2021-10-29")

    page.get_by_role("button", name="Register", exact=True).click()

    # The case page, with the two messages as linked documents.
    expect(page).to_have_url(re.compile(r"/cases/SSC"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ange_case} {CASE_TITLE}")
    documents = page.get_by_role("region", name="Documents")
    docs = documents.locator("tbody tr")
    expect(docs).to_have_count(2)
    original = documents.get_by_role("row", name=re.compile(rf"^{_slashes(ange_case)}-1\b"))
    forward = documents.get_by_role("row", name=re.compile(rf"^{_slashes(ange_case)}-2\b"))
    expect(original).to_contain_text("Etablering av statliga servicekontor")
    expect(forward).to_contain_text("VB: Etablering av statliga servicekontor")
    # The forward's page links the message it forwards.
    forward.get_by_role("link", name=f"{ange_case}-2", exact=True).click()
    link = page.get_by_role("link", name=f"{ange_case}-1", exact=True).first
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("region", name="Details")).to_contain_text("paul.larsson@statenssc.se")
    page.go_back()
    page.go_back()


def test_a_reply_quoting_the_seed_offers_only_itself_linked_to_what_it_quotes(page, ange_case):
    """The next ordinary mail: SSC's answer quotes the registered original. The review says
    the quoted message is registered already and leaves it unchecked; the answer is offered,
    linked to the document it quotes."""
    seed = inbox.store_message(seed_bytes(), source=InboxSource.PASTE)
    register_inbox_item(seed, ImportDecision(case=get_case(ange_case)), actor=None)
    original = f"{ange_case}-1"
    answer = ssc_answer(parse_text(seed_bytes().decode()).messages[1].body)
    db.session.commit()

    log_in(page)
    page.get_by_role("link", name="To register").click()
    page.get_by_role("link", name="Import mail").click()
    page.get_by_label("Or paste the mail").fill(answer.decode("utf-8"))
    page.get_by_role("button", name="Read the mail").click()

    messages = page.get_by_role("article")
    expect(messages).to_have_count(2)
    reply, quoted = messages.nth(0), messages.nth(1)
    expect(reply.get_by_label("Register this message")).to_be_checked()
    expect(reply).to_contain_text(f"Linked to {original}: the message it quotes is that document")
    expect(quoted).to_contain_text(f"Already registered as {original}")
    expect(quoted.get_by_label("Register this message")).not_to_be_checked()
    # The promise of the quoted, registered message is not proposed a second time.
    expect(page.get_by_role("group", name=re.compile("Promised in message"))).to_have_count(0)

    page.get_by_role("button", name="Register", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/SSC"))
    docs = page.get_by_role("region", name="Documents").locator("tbody tr")
    expect(docs).to_have_count(3)
    answer_doc = page.get_by_role("row", name=re.compile(rf"^{_slashes(ange_case)}-3\b"))
    expect(answer_doc).to_contain_text("SV: Etablering av statliga servicekontor")
    answer_doc.get_by_role("link", name=f"{ange_case}-3", exact=True).click()
    details = page.get_by_role("region", name="Details")
    expect(details.get_by_role("link", name=original, exact=True).first).to_be_visible()
