"""My follow-ups and the navigation count at any size: pages with totals, a fixed number of
statements whatever the rows, the count kept between requests and fresh after a change."""

import re
from datetime import timedelta

import pytest
from flask import g

from caseapp.extensions import db
from caseapp.followups import services as fs
from caseapp.followups.models import UserGroup
from caseapp.timeutil import local_today

# Statements of My follow-ups for an officer: the user; the list's page, its assignees
# (group; the user is loaded), documents, cases and their officers; the list's totals;
# need-to-know of its confidential cases; the filter's officers and programmes; the
# calendar feed; the navigation's two counts.
MINE_STATEMENTS = 14
# A registrar with none of their own: their (empty) page and totals, the registry queue's
# page, cases and totals, the filters, the feed and the counts.
MINE_REGISTRAR_STATEMENTS = 11
# Any page with the navigation: the user, the follow-up count (one statement) and, for
# those who register (officers do), the count of mail waiting ...
NAV_STATEMENTS = 3
# ... and the user alone once the count is kept.
NAV_CACHED_STATEMENTS = 1
# The page the navigation is measured on, and the one statement of its own: whether the
# account has a second factor.
ACCOUNT_PAGE, ACCOUNT_PAGE_STATEMENTS = "/account/password", 1


@pytest.fixture
def world(factory):
    """An officer, a group they are in, and a helper that adds follow-ups of every shape
    (theirs directly, through the group, as case officer; some in confidential cases; some
    nobody's, for the registry queue), each in a case of its own."""
    me = factory.user("officer", name="Olle Handläggare")
    group = UserGroup(name="Servicekontoren", members=[me])
    db.session.add(group)
    made = []

    def add(n: int) -> None:
        today = local_today()
        for i in range(len(made), len(made) + n):
            confidential = i % 5 == 0
            case = factory.case(
                f"Ärende {i}",
                officer=me if i % 3 == 2 else None,
                confidential=confidential,
                legal_basis="OSL 21 kap. 7 §" if confidential else None,
            )
            assignee = [me, group, None][i % 3]
            due = today + timedelta(days=(i % 7) * 9 - 30)
            document = factory.document(case) if i % 4 == 1 else None
            document = factory.document(case) if i % 4 == 1 else None
            made.append(
                fs.create_followup(
                    case,
                    title=f"Bevakning {i}",
                    due=due,
                    actor=None,
                    assignee=assignee,
                    document=document,
                )
            )
            fs.create_followup(
                factory.case(f"Ingens {i}"), title=f"Ingens {i}", due=due, actor=None
            )
        db.session.commit()

    return me, add


def _statements(client, count_queries, url: str, *, fresh: bool = False):
    if fresh:  # as on the first request of a process: no count kept yet
        client.application.extensions["navcache"].clear()
    with count_queries() as log:
        resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    return len(log), str(log), resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "pinned"), [("officer", MINE_STATEMENTS), ("registrar", MINE_REGISTRAR_STATEMENTS)]
)
def test_my_follow_ups_sends_the_same_statements_for_3_and_30_rows(
    app, client, login_as, count_queries, world, role, pinned
):
    me, add = world
    if role == "registrar":
        me = login_as("registrar")
    else:
        login_as_user(client, me)
    add(3)
    small, small_log, page = _statements(client, count_queries, "/followups/", fresh=True)
    assert len(_rows(page)) == 3  # an officer's own, a registrar's queue
    add(27)
    large, large_log, page = _statements(client, count_queries, "/followups/", fresh=True)
    assert len(_rows(page)) == 30
    assert small == large == pinned, f"3 rows:\n{small_log}\n\n30 rows:\n{large_log}"


def login_as_user(client, user) -> None:
    """Log the test client in as ``user`` (``login_as`` makes a new one)."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    g.pop("_login_user", None)


def _rows(page: str) -> list[str]:
    """The follow-ups a page lists, by title (a confidential one by its masked title)."""
    return re.findall(r"<td>(Bevakning \d+|Ingens \d+|Confidential follow-up)</td>", page)


def test_my_follow_ups_in_pages_with_the_total_stated_never_cut(app, client, world):
    me, add = world
    login_as_user(client, me)
    add(7)
    app.config["LIST_PAGE_SIZE"] = 3
    seen, url = [], "/followups/"
    for _ in range(5):
        page = client.get(url).get_data(as_text=True)
        assert "7 follow-ups in all, by due date; this page shows" in page
        seen += _rows(page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    # Every one once, none cut (0 is in a confidential case of another officer: masked).
    assert sorted(seen) == sorted(
        ["Confidential follow-up"] + [f"Bevakning {i}" for i in range(1, 7)]
    )
    dues = [fu.due for fu in sorted(fs.open_followups(user=me), key=lambda f: (f.due, f.id))]
    assert dues == sorted(dues)


@pytest.mark.parametrize(
    "query", ["after=x", "after=-1", "after=10000000000000", "after=99999", "after=%00", "after="]
)
def test_a_bad_position_is_a_400_not_a_500(app, client, world, query):
    me, add = world
    login_as_user(client, me)
    add(3)
    resp = client.get(f"/followups/?{query}")
    assert resp.status_code == 400


def test_page_and_sort_arguments_that_mean_nothing_are_ignored(app, client, world):
    me, add = world
    login_as_user(client, me)
    add(3)
    for query in ("page=10000000", "page=-1", "page=x", "sort=nonsense"):
        assert client.get(f"/followups/?{query}").status_code == 200


def _nav_count(page: str) -> int | None:
    found = re.search(r'class="count"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else None


def test_a_page_not_about_follow_ups_sends_the_nav_count_once_then_keeps_it(
    app, client, count_queries, world
):
    me, add = world
    login_as_user(client, me)
    add(6)
    first, first_log, page = _statements(client, count_queries, ACCOUNT_PAGE)
    assert first <= NAV_STATEMENTS + ACCOUNT_PAGE_STATEMENTS, first_log
    assert _nav_count(page) == 4  # the overdue and due today of their six
    again, again_log, page = _statements(client, count_queries, ACCOUNT_PAGE)
    assert again < first and again <= NAV_CACHED_STATEMENTS + ACCOUNT_PAGE_STATEMENTS, again_log
    assert _nav_count(page) == 4


def test_a_change_to_the_users_follow_ups_shows_in_the_count_on_the_next_request(
    app, client, world
):
    me, add = world
    login_as_user(client, me)
    add(6)
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 4
    overdue = next(
        f for f in fs.open_followups(user=me) if f.due < local_today() and not f.case.confidential
    )
    # Closed through the page, as a user does.
    resp = client.post(f"/followups/{overdue.id}/cancel", data={"note": "Klart"})
    assert resp.status_code == 302
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 3
    # And one made by the services in this process, committed, as the importer does.
    fs.create_followup(
        overdue.case, title="Ny", due=local_today() - timedelta(days=2), actor=None, assignee=me
    )
    db.session.commit()
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 4


def test_a_rolled_back_change_leaves_the_count_as_it_was(app, client, world):
    me, add = world
    login_as_user(client, me)
    add(6)
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 4
    case = fs.open_followups(user=me)[0].case
    fs.create_followup(case, title="Aldrig", due=local_today(), actor=None, assignee=me)
    db.session.rollback()
    assert _nav_count(client.get("/account/password").get_data(as_text=True)) == 4
