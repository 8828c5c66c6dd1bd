"""A registrar starts at the mail waiting to be registered; its count is in the navigation."""

from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.models import InboxSource


def test_a_registrar_starts_at_the_inbox_with_its_count_in_the_navigation(client, login_as):
    login_as("registrar")
    assert client.get("/").headers["Location"].endswith("/mail/inbox")
    page = client.get("/cases/").get_data(as_text=True)
    assert '<span class="count">' not in page.split("To register")[1].split("</a>")[0]
    for n in range(3):
        inbox.store_message(make_eml(n), source=InboxSource.SMTP)
    db.session.commit()
    page = client.get("/cases/").get_data(as_text=True)
    nav = page.split("To register")[1].split("</a>")[0]
    assert '<span class="count">3<span class="visually-hidden"> waiting</span>' in nav


def test_others_start_at_the_cases_and_see_no_inbox_count(client, login_as):
    inbox.store_message(make_eml(1), source=InboxSource.SMTP)
    db.session.commit()
    login_as("reader")
    assert client.get("/").headers["Location"].endswith("/cases/")
    assert "To register" not in client.get("/cases/").get_data(as_text=True)
    login_as("officer")
    assert client.get("/").headers["Location"].endswith("/cases/")
