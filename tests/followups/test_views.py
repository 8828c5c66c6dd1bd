"""Follow-up pages: the case panel, My follow-ups, the nav count, the calendar feed."""

import hashlib
from datetime import date, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from icalendar import Calendar

from caseapp.documents.models import Direction, DocumentKind
from caseapp.extensions import db
from caseapp.followups.models import CalendarFeed, FollowUp, FollowUpStatus
from caseapp.followups.services import await_reply, create_followup
from caseapp.timeutil import local_today


def _english(client):
    with client.session_transaction() as s:
        s["lang"] = "en"


def test_create_from_the_case_page_says_the_date_moved(app, client, login_as, factory):
    user = login_as("officer")
    _english(client)
    case = factory.case()
    db.session.commit()
    resp = client.post(
        f"/followups/case/{case.id}/new",
        data={"title": "Återkomma", "due": "2021-10-31", "assignee": f"u:{user.id}"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "Due date moved from 2021-10-31 (Sunday) to 2021-10-29" in text
    fu = db.session.scalar(sa.select(FollowUp))
    assert fu.due == date(2021, 10, 29) and fu.assignee_user_id == user.id


def test_invalid_form_is_shown_again_not_a_500(app, client, login_as, factory):
    login_as("officer")
    case = factory.case()
    db.session.commit()
    resp = client.post(f"/followups/case/{case.id}/new", data={"title": "", "due": "x"})
    assert resp.status_code == 200 and b"error-summary" in resp.data


def test_readers_cannot_change_follow_ups(app, client, login_as, factory):
    login_as("reader")
    case = factory.case()
    fu = create_followup(case, title="x", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    assert client.post(f"/followups/case/{case.id}/new", data={}).status_code == 403
    assert client.post(f"/followups/{fu.id}/cancel").status_code == 403
    assert client.get("/cases/" + quote(case.number, safe="/")).status_code == 200


def test_reply_prompt_and_close_with_reply(app, client, login_as, factory):
    login_as("officer")
    _english(client)
    case = factory.case()
    incoming = factory.document(case)
    fu = await_reply(incoming, due=date(2021, 11, 15), actor=None)
    factory.document(case, direction=Direction.OUT, kind=DocumentKind.REPLY, parent=incoming)
    db.session.commit()
    page = client.get("/cases/" + quote(case.number, safe="/")).get_data(as_text=True)
    assert "A reply was registered" in page and "close this follow-up?" in page
    resp = client.post(f"/followups/{fu.id}/close-with-reply")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, fu.id).status == FollowUpStatus.DONE


def test_close_edit_reopen_through_the_pages(app, client, login_as, factory):
    login_as("officer")
    case = factory.case()
    fu = create_followup(case, title="x", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    assert client.get(f"/followups/{fu.id}/edit").status_code == 200
    resp = client.post(
        f"/followups/{fu.id}/edit",
        data={"title": "Ny titel", "due": "2021-11-02", "assignee": "", "version": fu.version},
    )
    assert resp.status_code == 302
    assert client.get(f"/followups/{fu.id}/close").status_code == 200
    resp = client.post(f"/followups/{fu.id}/close", data={"outcome": "answered", "document": ""})
    assert resp.status_code == 200  # answered without a document: the rule says no
    resp = client.post(f"/followups/{fu.id}/close", data={"outcome": "no_action", "note": "Klart"})
    assert resp.status_code == 302
    assert client.post(f"/followups/{fu.id}/reopen").status_code == 302
    db.session.expire_all()
    fu = db.session.get(FollowUp, fu.id)
    assert fu.title == "Ny titel" and fu.status == FollowUpStatus.OPEN


def test_await_reply_page(app, client, login_as, factory):
    login_as("officer")
    doc = factory.document()
    db.session.commit()
    assert client.get(f"/followups/document/{doc.id}/await-reply").status_code == 200
    resp = client.post(
        f"/followups/document/{doc.id}/await-reply", data={"due": "2021-11-15", "assignee": ""}
    )
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(FollowUp.document_id)) == doc.id


def test_my_follow_ups_groups_and_filters(app, client, login_as, factory):
    me = login_as("officer")
    case = factory.case(officer=me)
    today = local_today()
    create_followup(
        case, title="Försenad sak", due=today - timedelta(days=20), actor=None, assignee=me
    )
    create_followup(
        case, title="Senare sak", due=today + timedelta(days=40), actor=None, assignee=me
    )
    db.session.commit()
    page = client.get("/followups/").get_data(as_text=True)
    assert "Försenad sak" in page and "Senare sak" in page
    assert page.index("Försenad sak") < page.index("Senare sak")
    assert "Försenad sak" in client.get(f"/followups/?officer={me.id}").get_data(as_text=True)
    assert "Försenad sak" not in client.get("/followups/?programme=999").get_data(as_text=True)


def test_nav_count_is_one_count_query_and_none_for_visitors(app, client, login_as, factory):
    me = login_as("officer")
    case = factory.case(officer=me)
    create_followup(case, title="x", due=date(2021, 10, 20), actor=None, assignee=me)
    db.session.commit()
    statements: list[str] = []

    def log(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", log)
    try:
        page = client.get("/followups/groups")  # 403 page: base.html with the nav
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)
    assert page.status_code == 403
    counts = [s for s in statements if "followups" in s and "count(" in s.lower()]
    assert len(counts) == 1
    assert b'class="count"' in page.data

    client.post("/logout")
    with client.session_transaction() as s:
        s.clear()
    assert b'class="count"' not in client.get("/auth/login").data


def test_calendar_feed_token_hash_regenerate_revoke(app, client, login_as, factory):
    me = login_as("officer")
    case = factory.case(officer=me)
    create_followup(case, title="Dialogmöte", due=date(2021, 10, 29), actor=None, assignee=me)
    secret = factory.case(title="Hemligt", confidential=True, legal_basis="OSL 21 kap. 7 §")
    create_followup(secret, title="Hemlig titel", due=date(2021, 10, 29), actor=None, assignee=me)
    db.session.commit()

    resp = client.post("/followups/calendar/token")
    assert resp.status_code == 200
    url = resp.get_data(as_text=True).split('id="ical-url"')[1].split('value="')[1].split('"')[0]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = db.session.scalar(sa.select(CalendarFeed))
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash

    anonymous = app.test_client()
    ics = anonymous.get(f"/followups/ical/{token}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert ics.headers["Cache-Control"] == "no-store"  # a person's follow-ups, kept nowhere
    events = Calendar.from_ical(ics.data).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries[0].endswith("Dialogmöte") and "Hemlig titel" not in ics.get_data(as_text=True)
    assert events[0].decoded("DTSTART") == date(2021, 10, 29)

    client.post("/followups/calendar/token")  # regenerate: the old link stops working
    assert anonymous.get(f"/followups/ical/{token}.ics").status_code == 404
    client.post("/followups/calendar/revoke")
    assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
    assert anonymous.get("/followups/ical/nonsense.ics").status_code == 404


def test_groups_page_is_for_admins(app, client, login_as, factory):
    login_as("admin")
    member = factory.user("officer")
    db.session.commit()
    resp = client.post("/followups/groups", data={"name": "Registraturen", "members": [member.id]})
    assert resp.status_code == 302
    assert "Registraturen" in client.get("/followups/groups").get_data(as_text=True)


def test_the_case_page_shows_both_panels(app, client, login_as, factory):
    login_as("registrar")
    case = factory.case()
    create_followup(case, title="Återkomma", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    page = client.get(f"/cases/{case.number}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="followups"' in text and 'id="notifications"' in text and "Återkomma" in text


def test_edit_with_a_tampered_version_is_refused_not_a_server_error(app, client, login_as, factory):
    login_as("officer")
    case = factory.case()
    fu = create_followup(case, title="Återkomma", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    resp = client.post(
        f"/followups/{fu.id}/edit",
        data={"title": "Ändrad", "due": "2021-11-02", "assignee": "", "version": "abc"},
    )
    assert resp.status_code < 500
    db.session.expire_all()
    assert db.session.get(FollowUp, fu.id).title == "Återkomma"
