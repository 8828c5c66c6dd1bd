"""The inbox list at any size: pages with the total stated, the same statements for 3 and
for 30 mails, bad positions a 400; the navigation's count fresh after mail is handled."""

import re

import pytest

from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.models import InboxSource

# The user, the page's items, the total, the duplicates beside them (other items, registered
# documents), the navigation's two counts.
INBOX_STATEMENTS = 7


def _mail(n: int) -> bytes:
    return (
        f"From: Paul Larsson <paul{n}@statenssc.se>\r\nTo: registrator@ange.se\r\n"
        f"Subject: Fråga {n}\r\nMessage-ID: <m{n}@statenssc.se>\r\n"
        "Date: Mon, 07 Jun 2021 13:42:00 +0200\r\n\r\nHej!\r\n"
    ).encode()


@pytest.fixture
def add(app):
    made = []

    def _add(n: int) -> None:
        for i in range(len(made), len(made) + n):
            made.append(inbox.store_message(_mail(i), source=InboxSource.CLI))
        db.session.commit()

    return _add


def _get(client, count_queries, url="/mail/inbox"):
    client.application.extensions["navcache"].clear()
    with count_queries() as log:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(log), str(log), resp.get_data(as_text=True)


def test_the_inbox_sends_the_same_statements_for_3_and_30_mails(
    app, client, login_as, count_queries, add
):
    login_as("registrar")
    add(3)
    small, small_log, page = _get(client, count_queries)
    assert page.count("Fråga ") == 3
    add(27)
    large, large_log, page = _get(client, count_queries)
    assert page.count("Fråga ") == 30
    assert small == large == INBOX_STATEMENTS, f"{small_log}\n\n{large_log}"


def test_the_inbox_in_pages_states_the_total_and_cuts_nothing(app, client, login_as, add):
    login_as("registrar")
    add(7)
    app.config["LIST_PAGE_SIZE"] = 3
    seen, url = [], "/mail/inbox"
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "7 mails are waiting, the oldest first." in page
        seen += re.findall(r"Fråga (\d+)</a>", page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [str(i) for i in range(7)]  # the oldest first, each once


@pytest.mark.parametrize("query", ["after=x", "after=-1", "after=99999", "after=1" + "0" * 12])
def test_a_bad_position_is_a_400(app, client, login_as, add, query):
    login_as("registrar")
    add(2)
    assert client.get(f"/mail/inbox?{query}").status_code == 400


def _nav_count(page: str) -> int | None:
    found = re.search(r'mail/inbox">[^<]*<span class="count">(\d+)<', page)
    return int(found.group(1)) if found else None


def test_the_count_is_kept_and_fresh_after_mail_is_discarded(app, client, login_as, add):
    login_as("registrar")
    add(3)
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 3
    item = inbox.pending_items()[0]
    resp = client.post(f"/mail/inbox/{item.id}/discard", data={"reason": "Reklam"})
    assert resp.status_code == 302, resp.status_code
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 2
