"""The case list, page by page: a cursor in the URL, a capped count, every sort in order,
bad page input answered with a clear page, and a fixed number of statements."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from caseapp.cases.models import Case, CaseStatus
from caseapp.extensions import db
from tests.pages import page_links, walk


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def shown(body: str) -> list[str]:
    """The titles of the cases that the page shows, in the page's order."""
    found = [(body.find(f">{c.title}<"), c.title) for c in db.session.scalars(sa.select(Case))]
    return [title for at, title in sorted(found) if at >= 0]


@pytest.fixture
def five(app, factory):
    app.config["CASES_PER_PAGE"] = 2
    cases = [factory.case(f"Ärende nummer {n}") for n in (3, 0, 4, 1, 2)]
    factory.case("Annat")
    db.session.commit()
    return cases


def test_next_previous_and_first_page_keep_the_filters(client, login_as, five):
    login_as("reader")
    first = client.get("/cases/", query_string={"q": "nummer", "sort": "title"}).get_data(True)
    assert shown(first) == ["Ärende nummer 0", "Ärende nummer 1"]
    assert "Showing 1–2 of 5." in first  # "Annat" does not match
    links = page_links(first)
    assert set(links) == {"Next page"}
    assert "q=nummer" in links["Next page"] and "sort=title" in links["Next page"]

    bodies = walk(client, links["Next page"])
    assert [shown(b) for b in bodies] == [
        ["Ärende nummer 2", "Ärende nummer 3"],
        ["Ärende nummer 4"],
    ]
    assert "Showing 3–4 of 5." in bodies[0] and "Showing 5–5 of 5." in bodies[1]
    last = page_links(bodies[1])
    assert "Next page" not in last
    back = client.get(last["Previous page"]).get_data(True)
    assert shown(back) == ["Ärende nummer 2", "Ärende nummer 3"]
    assert "Showing 3–4 of 5." in back
    again = client.get(last["First page"]).get_data(True)
    assert shown(again) == ["Ärende nummer 0", "Ärende nummer 1"]
    # Back from the second page is the first page, which says so.
    start = client.get(page_links(bodies[0])["Previous page"]).get_data(True)
    assert shown(start) == ["Ärende nummer 0", "Ärende nummer 1"]
    assert "Showing 1–2 of 5." in start and "Previous page" not in page_links(start)


def _expected(sort: str) -> list[str]:
    keys = {
        "number": lambda c: (-c.year, -c.seq, -c.id),
        "number_asc": lambda c: (c.year, c.seq, c.id),
        "title": lambda c: (c.title, c.id),
        "opened": lambda c: (-c.opened_at.timestamp(), -c.id),
        "updated": lambda c: (-c.updated_at.timestamp(), -c.id),
    }
    cases = db.session.scalars(sa.select(Case)).all()
    return [c.title for c in sorted(cases, key=keys[sort])]


@pytest.mark.parametrize("sort", ["number", "number_asc", "title", "opened", "updated"])
def test_every_sort_pages_through_each_case_once_in_order(client, login_as, factory, app, sort):
    app.config["CASES_PER_PAGE"] = 2
    ks, ssc = factory.series("KS"), factory.series("SSC")
    [factory.case(f"Ärende {t}", series=s) for t, s in zip("ECADBF", [ks, ssc] * 3, strict=True)]
    # Ties in every sort but the id: the cursor must not skip or repeat a tied row.
    same = datetime(2021, 6, 7, 11, 42, tzinfo=UTC)
    db.session.execute(sa.update(Case).values(opened_at=same, updated_at=same))
    db.session.commit()
    login_as("reader")
    bodies = walk(client, f"/cases/?sort={sort}")
    assert len(bodies) == 3
    assert [t for b in bodies for t in shown(b)] == _expected(sort)


def test_the_count_stops_at_the_cap(client, login_as, five, app):
    app.config["LIST_COUNT_CAP"] = 3
    login_as("reader")
    body = client.get("/cases/?q=nummer").get_data(True)
    assert "Showing 1–2 of more than 3." in body
    second = client.get(page_links(body)["Next page"]).get_data(True)
    assert "Showing 3–4 of more than 3." in second


def test_no_match_says_so(client, login_as, five):
    login_as("reader")
    body = client.get("/cases/?q=finns-inte").get_data(True)
    assert "No cases match." in body and "Showing" not in body


@pytest.mark.parametrize("page", ["10000000", "-1", "x", "0", "99999999999999999999999"])
def test_a_page_number_in_the_url_shows_the_first_page(client, login_as, five, page):
    login_as("reader")
    response = client.get("/cases/", query_string={"page": page, "sort": "title"})
    assert response.status_code == 200
    assert shown(response.get_data(True)) == ["Annat", "Ärende nummer 0"]


def test_an_unknown_sort_is_the_default_order(client, login_as, five):
    login_as("reader")
    response = client.get("/cases/?sort=drop+table")
    assert response.status_code == 200
    assert shown(response.get_data(True))[:1] == [_expected("number")[0]]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if c[-2:] != "AA" else "BB"),  # another signature
        lambda c: "W1s1XSwgZmFsc2UsIDEsIDUsIGZhbHNlLCAiIl0",  # a payload without one
        lambda c: "x" * 5000,
        lambda c: "",  # empty: simply the first page
    ],
)
def test_a_tampered_cursor_is_a_bad_request_showing_the_first_page(client, login_as, five, tamper):
    login_as("reader")
    first = client.get("/cases/?sort=title").get_data(True)
    cursor = page_links(first)["Next page"].split("after=")[1]
    response = client.get(f"/cases/?sort=title&after={tamper(cursor)}")
    body = response.get_data(True)
    assert shown(body) == ["Annat", "Ärende nummer 0"]
    if tamper(cursor):
        assert response.status_code == 400
        assert "That page link was not valid, so this is the first page." in body
    else:
        assert response.status_code == 200


def test_a_cursor_of_other_filters_starts_again(client, login_as, five):
    login_as("reader")
    first = client.get("/cases/?sort=title").get_data(True)
    cursor = page_links(first)["Next page"].split("after=")[1]
    # The same cursor with another sort or filter: the first page of that list.
    response = client.get(f"/cases/?sort=number&after={cursor}")
    assert response.status_code == 200
    assert shown(response.get_data(True))[:1] == [_expected("number")[0]]
    response = client.get(f"/cases/?sort=title&status=closed&after={cursor}")
    assert response.status_code == 200 and "No cases match." in response.get_data(True)


def test_the_text_filter_runs_once_per_request(client, login_as, five, count_queries):
    login_as("reader")
    with count_queries() as log:
        first = client.get("/cases/?q=nummer").get_data(True)
    assert sum("LIKE" in s for s in log.statements) == 1, str(log)
    with count_queries() as log:
        client.get(page_links(first)["Next page"])
    assert sum("LIKE" in s for s in log.statements) == 1, str(log)


def _list_statements(client, count_queries, url: str) -> int:
    with count_queries() as log:
        assert client.get(url).status_code == 200
    return len(log)


# The case list's statements, whatever the number of cases: the filter's choices (officers,
# series; the organisation is typed and looked up), the page's keys and count in one, its
# cases, and their series, organisations and officers.
CASE_LIST_STATEMENTS = 7


def test_the_case_list_sends_the_same_statements_for_3_and_30_cases(
    client, login_as, factory, app, count_queries
):
    app.config["CASES_PER_PAGE"] = 50
    login_as("reader")

    def add(n: int) -> None:
        for i in range(n):
            org = factory.organisation(f"Kommun {factory._next()}")
            officer = factory.user("officer")
            factory.case(f"Ärende {i}", organisation=org, officer=officer)
        db.session.commit()

    add(3)
    # The test's app context outlives a request: after a commit, the first one reloads
    # the logged-in user, which a real request does anyway. Count the one after.
    client.get("/cases/")
    few = _list_statements(client, count_queries, "/cases/")
    filtered_few = _list_statements(client, count_queries, "/cases/?q=rende&status=open")
    add(27)
    client.get("/cases/")
    assert _list_statements(client, count_queries, "/cases/") == few == CASE_LIST_STATEMENTS
    assert _list_statements(client, count_queries, "/cases/?q=rende&status=open") == filtered_few


def test_a_later_page_sends_no_more_statements_than_the_first(
    client, login_as, five, count_queries
):
    login_as("reader")
    with count_queries() as log:
        first = client.get("/cases/?sort=title").get_data(True)
    with count_queries() as later:
        client.get(page_links(first)["Next page"])
    assert len(later) <= len(log), str(later)


def test_closed_cases_are_found_by_their_status(client, login_as, five):
    five[0].status = CaseStatus.CLOSED
    db.session.commit()
    login_as("reader")
    body = client.get("/cases/?status=closed").get_data(True)
    assert shown(body) == [five[0].title] and "Showing 1–1 of 1." in body
