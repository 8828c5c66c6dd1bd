"""The case page stays the same size in statements whatever a case has collected: one row
per document, and the history and the sent notices as sections of their own, paged, that
the page loads on demand."""

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from flask import g

from caseapp.documents.models import Direction, DocumentKind, PartyRole
from caseapp.documents.services import PartyInput
from caseapp.extensions import db
from caseapp.notifications.models import Notification, NotificationKind

# What the case page sends, however many documents (login, the case, its documents and
# their parties, the follow-up and notification panels).
CASE_PAGE_STATEMENTS = 10


def url(case, suffix: str = "") -> str:
    return "/cases/" + quote(case.number, safe="/") + suffix


def text(response) -> str:
    return response.get_data(as_text=True)


def _case_with(factory, n: int):
    case = factory.case()
    first = None
    for i in range(n):
        doc = factory.document(
            case,
            direction=Direction.OUT if i % 2 else Direction.IN,
            kind=DocumentKind.REPLY if first else DocumentKind.LETTER,
            parent=first,
            subject=f"Handling nummer {i}",
            parties=[
                PartyInput(PartyRole.FROM, f"Avsändare {i}", f"avsandare{i}@ange.se"),
                PartyInput(PartyRole.TO, f"Mottagare {i}", f"mottagare{i}@ange.se"),
            ],
        )
        first = first or doc
    db.session.commit()
    return case


@pytest.mark.parametrize("documents", [3, 30])
def test_the_case_page_sends_the_same_statements_for_3_and_30_documents(
    client, login_as, factory, count_queries, documents
):
    login_as("registrar")
    page = url(_case_with(factory, documents))
    with count_queries() as log:
        response = client.get(page)
    assert response.status_code == 200
    assert text(response).count('<tr id="doc-') == documents
    assert len(log) == CASE_PAGE_STATEMENTS, str(log)


def test_each_row_says_number_date_direction_subject_and_counterpart(client, login_as, factory):
    login_as("reader")
    case = _case_with(factory, 2)
    body = text(client.get(url(case)))
    rows = body[body.index("<tbody>") : body.index("</tbody>")].split("</tr>")
    assert "Incoming" in rows[0] and "Avsändare 0" in rows[0] and "Mottagare 0" not in rows[0]
    assert "Outgoing" in rows[1] and "Mottagare 1" in rows[1] and "Avsändare 1" not in rows[1]
    assert "Handling nummer 1" in rows[1] and "2021-06-07" in rows[1]


def test_the_history_is_a_page_of_its_own_paged_and_a_part_for_the_case_page(
    app, client, login_as, factory
):
    app.config["CASE_SECTION_PER_PAGE"] = 5
    login_as("registrar")
    case = _case_with(factory, 7)  # opened + 7 registered: 8 events, two pages
    body = text(client.get(url(case)))
    link = url(case, "/history")
    assert f'href="{link}"' in body and f'data-fragment="{link}?part=1"' in body
    assert "Registered document" not in body

    first = text(client.get(link))
    assert first.count("<tr>") == 5 + 1  # the header row
    assert "Page 1 of 2" in first and f'href="{link}?page=2"' in first
    second = text(client.get(link + "?page=2"))
    assert second.count("<tr>") == 3 + 1 and "Opened the case" in second
    part = text(client.get(link + "?part=1"))
    assert "<html" not in part and '<table class="history">' in part
    assert f'href="{link}?page=2"' in part  # the next page is the section's own page


@pytest.mark.parametrize("page", ["10000000", "-1", "x", "0", "99999999999999999999"])
def test_a_page_number_out_of_range_is_a_clear_page_not_an_error(client, login_as, factory, page):
    login_as("registrar")
    case = _case_with(factory, 1)
    for section in ("/history", "/notices"):
        response = client.get(url(case, f"{section}?page={page}"))
        assert response.status_code == 200, (section, page)


def test_the_sent_notices_are_a_section_on_demand(client, login_as, factory):
    login_as("registrar")
    case = _case_with(factory, 1)
    db.session.add(
        Notification(
            kind=NotificationKind.REGISTRATION,
            recipient_email="postlista@ange.se",
            subject="Ny handling i ärendet",
            case_id=case.id,
            created_at=datetime(2021, 6, 7, 11, 42, tzinfo=UTC),
        )
    )
    db.session.commit()
    body = text(client.get(url(case)))
    assert f'href="{url(case, "/notices")}"' in body and "postlista@ange.se" not in body
    page = text(client.get(url(case, "/notices")))
    assert "postlista@ange.se" in page and "2021-06-07 13:42" in page
    part = text(client.get(url(case, "/notices?part=1")))
    assert "<html" not in part and "Ny handling i ärendet" in part


def test_the_sections_are_for_those_who_read_every_record(client, login_as, factory):
    case = _case_with(factory, 1)
    factory.document(case, confidential=True, subject="Hemlig sak", legal_basis="OSL 21:7")
    db.session.commit()
    login_as("reader")
    body = text(client.get(url(case)))
    assert url(case, "/history") not in body
    for section in ("/history", "/notices", "/history?part=1"):
        response = client.get(url(case, section))
        assert response.status_code == 403, section
        assert response.headers["Cache-Control"] == "no-store"
    g.pop("_login_user", None)
    login_as("registrar")
    response = client.get(url(case, "/history"))
    assert response.status_code == 200 and "Hemlig sak" in text(response)
    assert response.headers["Cache-Control"] == "no-store"
