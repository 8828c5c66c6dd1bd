"""No event for a change that did not happen: an edit form saved as it was opened changes
nothing and records nothing in the history."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.directory.services import create_contact, create_mailbox
from caseapp.extensions import db


class _FormValues(HTMLParser):
    """The values a browser would send for the page's edit form, as it sends them: a
    textarea's line ends as CRLF, checked boxes only."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "action" not in a:
            self._in_form = True  # the page's own edit form (the others post elsewhere)
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value", "y")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            name, self._textarea = self._textarea, None
            # HTML drops the newline right after <textarea>; browsers send CRLF line ends.
            value = self.values[name].removeprefix("\n")
            self.values[name] = value.replace("\r\n", "\n").replace("\n", "\r\n")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


@pytest.fixture
def edit_pages(factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se", "ange.nu"])
    user = factory.user("officer", name="Olle Handläggare")
    case = factory.case(
        "Servicekontor",
        organisation=org,
        officer=user,
        # As the command line or a mail import stores a text: LF line ends, blanks around.
        description=" Etablering i Ånge.\nOmgång 2. ",
        public_title="Servicekontor ",
    )
    doc = factory.document(case)
    contact = create_contact(
        name="Paul Larsson", emails=["paul@statenssc.se", "pl@statenssc.se"], actor=None
    )
    box = create_mailbox(address="ange@ange.se", name="Ånge", organisation=org, actor=None)
    db.session.commit()
    return [
        f"/cases/{case.number}/edit",
        f"/documents/{doc.number}/edit",
        f"/directory/organisations/{org.id}/edit",
        f"/directory/contacts/{contact.id}/edit",
        f"/directory/mailboxes/{box.id}/edit",
        f"/admin/series/{case.series_id}/edit",
        f"/admin/users/{user.id}/edit",
    ]


def test_saving_an_edit_form_unchanged_records_nothing(client, login_as, edit_pages):
    login_as("admin")
    for url in edit_pages:
        form = _FormValues()
        form.feed(client.get(url).get_data(as_text=True))
        assert form.values.get("name") or form.values.get("title") or form.values.get("subject"), (
            url
        )
        before = _events()
        response = client.post(url, data=form.values)
        assert response.status_code == 302, url
        assert _events() == before, f"{url} recorded a change that did not happen"


def test_the_edit_forms_show_addresses_and_domains_as_text(client, login_as, edit_pages):
    login_as("admin")
    org_form = client.get(edit_pages[2]).get_data(as_text=True)
    assert "ange.nu\nange.se</textarea>" in org_form and "object at" not in org_form
    contact_form = client.get(edit_pages[3]).get_data(as_text=True)
    assert "paul@statenssc.se\npl@statenssc.se</textarea>" in contact_form
