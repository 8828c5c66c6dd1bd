"""The outbox list at any size: keyset pages, newest first, with the total stated (up to a
bound, then "more than"), the same statements for 3 and for 30 notices, bad input a 400."""

import re

import pytest

from caseapp.extensions import db
from caseapp.notifications import outbox
from caseapp.notifications.models import Notification, NotificationKind, NotificationStatus

# The user, the page, its bounded total, the failed count, the workers' heartbeat and the
# overdue notices (delivery health: three), the navigation's two counts.
OUTBOX_STATEMENTS = 9


@pytest.fixture
def add(app):
    def _add(n: int, status=NotificationStatus.DELIVERED) -> None:
        for _ in range(n):
            db.session.add(
                Notification(
                    kind=NotificationKind.REGISTRATION,
                    status=status,
                    recipient_email="paul.larsson@statenssc.se",
                    subject="Registrerad handling",
                )
            )
        db.session.commit()

    return _add


def _get(client, count_queries, url="/admin/outbox"):
    client.application.extensions["navcache"].clear()
    with count_queries() as log:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(log), str(log), resp.get_data(as_text=True)


def test_the_outbox_sends_the_same_statements_for_3_and_30_notices(
    app, client, login_as, count_queries, add
):
    login_as("admin")
    add(3)
    small, small_log, page = _get(client, count_queries)
    assert page.count("Registrerad handling") == 3
    add(27)
    large, large_log, page = _get(client, count_queries)
    assert page.count("Registrerad handling") == 30
    assert small == large == OUTBOX_STATEMENTS, f"{small_log}\n\n{large_log}"


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'/admin/outbox/(\d+)">', page)]


def test_pages_newest_first_with_the_total_and_a_status_kept(app, client, login_as, add):
    login_as("admin")
    add(4)
    add(5, NotificationStatus.FAILED)
    app.config["LIST_PAGE_SIZE"] = 2
    seen, url = [], "/admin/outbox?status=failed"
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "5 notifications in all; this page shows" in page
        seen += _ids(page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    failed = db.session.scalars(
        db.select(Notification.id).where(Notification.status == NotificationStatus.FAILED)
    ).all()
    assert seen == sorted(failed, reverse=True)


def test_a_long_outbox_says_more_than(app, client, login_as, add, monkeypatch):
    login_as("admin")
    monkeypatch.setattr(outbox, "COUNT_UP_TO", 3)
    add(5)
    assert "More than 3 notifications" in client.get("/admin/outbox").get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["before=x", "before=-1", "before=0", "before=1" + "0" * 12, "before="]
)
def test_a_bad_position_is_a_400(app, client, login_as, add, query):
    login_as("admin")
    add(2)
    assert client.get(f"/admin/outbox?{query}").status_code == 400


def test_an_unknown_status_shows_all(app, client, login_as, add):
    login_as("admin")
    add(2)
    assert client.get("/admin/outbox?status=nonsense&page=x").status_code == 200
