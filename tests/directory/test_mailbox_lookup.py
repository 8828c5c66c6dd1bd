"""The searchable mailbox field: a text input the server resolves (with or without
script), and the lookup that suggests mailboxes as the user types."""

import pytest
import sqlalchemy as sa

from caseapp.directory.services import create_mailbox
from caseapp.extensions import db
from caseapp.notifications.models import Subscription


@pytest.fixture
def boxes(factory):
    made = [
        create_mailbox(address=f"brevlada{n:03d}@kommun.se", name=f"Brevlåda {n}", actor=None)
        for n in range(30)
    ]
    made.append(create_mailbox(address="ange@ange.se", name="Ånge kommun", actor=None))
    made.append(create_mailbox(address="angered@goteborg.se", name="Angered", actor=None))
    db.session.commit()
    return made


def test_the_lookup_suggests_by_prefix_at_most_20_in_any_case(client, login_as, boxes):
    login_as("reader")
    found = client.get("/directory/lookup/mailboxes?q=BREVLADA").get_json()
    assert len(found) == 20
    assert found[0] == {"value": "Brevlåda 0 <brevlada000@kommun.se>"}
    # Å, Ä and Ö in any case, which SQLite's lower() does not fold.
    for typed in ("ånge", "ÅNGE", "Ånge k"):
        found = client.get("/directory/lookup/mailboxes", query_string={"q": typed}).get_json()
        assert found == [{"value": "Ånge kommun <ange@ange.se>"}], typed
    assert client.get("/directory/lookup/mailboxes?q=a").get_json() == []  # too short
    assert client.get("/directory/lookup/mailboxes?q=%25%25").get_json() == []
    assert client.get("/directory/lookup/mailboxes?q=" + "x" * 5000).status_code == 200


def test_the_lookup_is_for_logged_in_users(client, boxes):
    response = client.get("/directory/lookup/mailboxes?q=ange")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_case_page_has_no_list_of_every_mailbox(client, login_as, factory, boxes):
    login_as("registrar")
    case = factory.case()
    db.session.commit()
    page = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "brevlada017@kommun.se" not in page
    assert 'data-lookup="/directory/lookup/mailboxes"' in page
    assert 'list="mailbox-options"' in page and '<datalist id="mailbox-options">' in page
    assert '<label for="mailbox">' in page


def _subscribe(client, case, typed):
    return client.post(
        f"/subscriptions/case/{case.id}",
        data={"mailbox": typed, "mode": "immediate", "directions": ["in"], "language": "sv"},
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    "typed", ["ange@ange.se", "Ånge kommun <ange@ange.se>", "ånge kommun", "ANGE@"]
)
def test_a_typed_name_or_address_is_resolved_without_script(
    client, login_as, factory, boxes, typed
):
    login_as("registrar")
    case = factory.case()
    db.session.commit()
    assert _subscribe(client, case, typed).status_code == 200
    sub = db.session.scalar(sa.select(Subscription))
    assert sub is not None and sub.mailbox.address == "ange@ange.se"


def test_a_name_that_matches_none_or_many_is_said_clearly(client, login_as, factory, boxes):
    login_as("registrar")
    case = factory.case()
    db.session.commit()
    page = _subscribe(client, case, "Stockholm").get_data(as_text=True)
    assert "No mailbox matches “Stockholm”" in page
    page = _subscribe(client, case, "brevlåda").get_data(as_text=True)
    assert "Several mailboxes match “brevlåda”" in page and "brevlada000@kommun.se" in page
    page = _subscribe(client, case, "ang").get_data(as_text=True)  # Ånge? Angered?
    assert "Several mailboxes match" in page
    assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 0
