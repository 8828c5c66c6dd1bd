"""The foundation's "done when", as a person does it in a real browser."""

import re

from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD

from .conftest import REGISTRAR, log_in, switch_to_english


def _doc_name(case_number: str, seq: int) -> re.Pattern:
    """The accessible name of document ``seq``'s article: its number, then its subject."""
    # Playwright writes the pattern into a selector as /…/ and does not escape a slash.
    number = re.escape(case_number).replace("/", r"\/")
    return re.compile(rf"^{number}-{seq}\b")


def test_log_in_open_the_ange_case_and_register_a_document(page, demo):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    switch_to_english(page)
    page.get_by_label("E-mail address").fill(REGISTRAR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    row = page.get_by_role("row", name=re.compile("Nytt statligt servicekontor i Ånge kommun"))
    expect(row).to_have_count(1)
    case_number = demo["case"]
    row.get_by_role("link", name=case_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{case_number} Nytt statligt servicekontor i Ånge kommun"
    )

    # One row per document; its page has the parties and what it forwards.
    documents = page.get_by_role("region", name="Documents")
    original = documents.get_by_role("row", name=_doc_name(case_number, 1))
    forward = documents.get_by_role("row", name=_doc_name(case_number, 2))
    expect(original).to_contain_text("Robertsson-Bly Mattias")  # the counterpart
    expect(forward).to_contain_text("2021-06")
    original.get_by_role("link", name=f"{case_number}-1").click()
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text("paul.larsson@statenssc.se")
    for recipient in ("Mattias", "Robertsson-Bly", "ange@ange.se", "Clas Heinegård"):
        expect(details).to_contain_text(recipient)
    page.go_back()
    forward.get_by_role("link", name=f"{case_number}-2").click()
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text("ange@ange.se")
    for recipient in ("Postlista Kommunstyrelsen", "Erik", "Lövgren"):
        expect(details).to_contain_text(recipient)
    expect(details).to_contain_text(f"Forwards {case_number}-1")
    page.get_by_role("link", name=case_number).first.click()

    page.get_by_role("link", name="Register a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Register a document in {case_number}"
    )
    page.get_by_label("Direction").select_option(label="Outgoing")
    page.get_by_label("Kind", exact=True).select_option(label="Letter")
    page.get_by_label("Subject", exact=True).fill("Svar: tack för informationen")
    page.get_by_label("Document date").fill("2021-06-10")
    page.get_by_label("Sender’s name").fill("Clas Heinegård")
    page.get_by_label("Sender’s e-mail address").fill("clas.heinegard@statenssc.se")
    page.get_by_label("To", exact=True).fill(
        "Mattias Robertsson-Bly <mattias.robertsson-bly@ange.se>"
    )
    page.get_by_label("Text", exact=True).fill("Tack, vi återkommer i oktober.")
    page.get_by_role("button", name="Register").click()

    new_number = f"{case_number}-3"
    expect(page.get_by_text(new_number).first).to_be_visible()
    if "/documents/" in page.url:  # the app may show the new document; the case holds it too
        page.get_by_role("link", name=case_number).first.click()
    new_doc = page.get_by_role("row", name=_doc_name(case_number, 3))
    expect(new_doc).to_contain_text("Svar: tack för informationen")
    # The history is loaded in place on demand.
    history = page.get_by_role("region", name="History")
    history.get_by_role("link", name="Show the history of the case").click()
    expect(history.get_by_role("table")).to_be_visible()
    expect(history).to_contain_text(new_number)
    expect(history).to_contain_text("Rut Registrator")


def test_an_empty_subject_is_a_field_error_and_the_typed_text_stays(page, demo):
    log_in(page)
    page.goto(f"/cases/{demo['case']}/documents/new")
    page.get_by_label("Sender’s name").fill("Erik Lövgren")
    page.get_by_label("Text", exact=True).fill("Ett brev utan ämne.")
    page.get_by_role("button", name="Register").click()

    subject = page.get_by_label("Subject", exact=True)
    expect(subject).to_have_attribute("aria-invalid", "true")
    error = page.locator("#subject-error")
    expect(error).to_have_text(re.compile("Give the document a subject"))
    expect(subject).to_have_attribute("aria-describedby", re.compile("subject-error"))
    # The error summary takes focus and links to the field.
    expect(page.locator(".error-summary")).to_be_focused()
    page.locator(".error-summary").get_by_role("link", name=re.compile("Subject")).click()
    expect(subject).to_be_focused()
    expect(page.get_by_label("Sender’s name")).to_have_value("Erik Lövgren")
    expect(page.get_by_label("Text", exact=True)).to_have_value("Ett brev utan ämne.")
