"""The registry queue: follow-ups nobody is responsible for, kept by the registrars."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.followups import services as fs
from caseapp.followups.models import UserGroup
from caseapp.timeutil import local_today


@pytest.fixture
def followups(factory):
    """One follow-up of each kind of responsibility, all overdue, and a closed one."""
    officer = factory.user("officer", name="Olle Handläggare", email="olle@example.org")
    gone = factory.user("officer", name="Greta Slutat", email="greta@example.org", active=False)
    named = factory.user("officer", name="Nils Namngiven", email="nils@example.org")
    group = UserGroup(name="Servicekontoren", members=[named])
    db.session.add(group)
    nobody_case = factory.case("Utan handläggare")
    officer_case = factory.case("Med handläggare", officer=officer)
    gone_case = factory.case("Handläggaren har slutat", officer=gone)
    due = local_today() - timedelta(days=3)
    made = {
        "nobody": fs.create_followup(nobody_case, title="Ingen ansvarig", due=due, actor=None),
        "gone": fs.create_followup(gone_case, title="Slutat", due=due, actor=None),
        "officer": fs.create_followup(officer_case, title="Handläggarens", due=due, actor=None),
        "user": fs.create_followup(
            nobody_case, title="Namngiven", due=due, actor=None, assignee=named
        ),
        "group": fs.create_followup(
            nobody_case, title="Gruppens", due=due, actor=None, assignee=group
        ),
        "closed": fs.create_followup(nobody_case, title="Avslutad", due=due, actor=None),
    }
    fs.cancel_followup(made["closed"], actor=None)
    db.session.commit()
    return made


def test_the_queue_holds_what_nobody_is_responsible_for(app, followups):
    assert [fu.title for fu in fs.registry_queue()] == ["Ingen ansvarig", "Slutat"]
    assert {k for k, fu in followups.items() if fs.in_registry_queue(fu)} == {
        "nobody",
        "gone",
        "closed",
    }


def test_registrars_see_the_queue_on_my_follow_ups(app, client, login_as, followups):
    login_as("registrar")
    page = client.get("/followups/").get_data(as_text=True)
    section = page[page.index('id="h-queue"') : page.index('id="h-calendar"')]
    assert "Registry queue (2)" in section
    assert "Ingen ansvarig" in section and "Slutat" in section
    for title in ("Handläggarens", "Namngiven", "Gruppens", "Avslutad"):
        assert title not in section
    # Filtered by officer or programme, the page shows that view only.
    assert 'id="h-queue"' not in client.get("/followups/?programme=1").get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "admin", "reader"])
def test_others_do_not_keep_the_queue(app, client, login_as, followups, role):
    login_as(role)
    assert 'id="h-queue"' not in client.get("/followups/").get_data(as_text=True)


def _nav_count(page: str) -> int | None:
    found = re.search(r'class="count"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else None


def test_the_nav_count_of_a_registrar_includes_the_queue(app, client, login_as, followups):
    login_as("registrar")
    statements: list[str] = []

    def log(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", log)
    try:
        page = client.get("/followups/groups").get_data(as_text=True)  # 403, with the nav
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)
    assert _nav_count(page) == 2
    assert len([s for s in statements if "followups" in s and "count(" in s.lower()]) == 1


def test_the_nav_count_of_an_officer_is_their_own(app, client, login_as, followups):
    login_as("officer")
    assert _nav_count(client.get("/followups/groups").get_data(as_text=True)) is None


def test_list_json_names_someone_for_every_follow_up(app, runner, followups):
    result = runner.invoke(args=["followups", "list", "--json"])
    assert result.exit_code == 0, result.output
    by_title = {item["title"]: item for item in json.loads(result.stdout)}
    queue = {"name": fs.REGISTRY_QUEUE_NAME, "email": None}
    assert {title: item["assignee"] for title, item in by_title.items()} == {
        "Ingen ansvarig": queue,
        "Slutat": queue,
        "Avslutad": queue,
        "Handläggarens": {"name": "Olle Handläggare", "email": "olle@example.org"},
        "Namngiven": {"name": "Nils Namngiven", "email": "nils@example.org"},
        "Gruppens": {"name": "Servicekontoren", "email": None},
    }
    assert fs.REGISTRY_QUEUE_NAME == "Registraturen"
    for item in by_title.values():
        assert set(item) == {"id", "case", "title", "due", "status", "assignee"}
