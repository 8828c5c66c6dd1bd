"""Every route, with every role and anonymously: exactly the allowed set gets through.

The table below is the access policy written out by hand. A new route fails
``test_every_route_is_in_the_policy`` until someone decides who may use it.
"""

import pytest
import sqlalchemy as sa
from flask import g

from caseapp.auth.models import Role, User
from caseapp.cases.access import grant_access
from caseapp.cases.models import Case
from caseapp.demo import load_demo
from caseapp.directory.models import Contact, Mailbox, Organisation
from caseapp.documents.services import AttachmentInput
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.mail.inbox import InboxSource, store_message
from caseapp.notifications.models import Notification, Subscription
from caseapp.registry.models import Series

ALL = frozenset(Role)
EDITORS = frozenset({Role.ADMIN, Role.REGISTRAR, Role.OFFICER})
REGISTRY = frozenset({Role.ADMIN, Role.REGISTRAR})
ADMIN = frozenset({Role.ADMIN})
PUBLIC = "public"  # no login needed

POLICY: dict[str, frozenset | str] = {
    "index": PUBLIC,  # only redirects to the case list
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.login_code": PUBLIC,  # the second step; without a first one it sends to the login
    "auth.logout": ALL,
    "auth.set_language": PUBLIC,
    "auth.change_password": ALL,
    "auth.show_second_factor": ALL,
    "auth.start_second_factor": ALL,
    "auth.confirm_second_factor": ALL,
    "auth.turn_off_second_factor": ALL,
    "auth.reset_password": PUBLIC,  # the link in the mail is the credential
    "cases.index": ALL,
    "cases.show": ALL,
    "cases.history": ALL,  # need-to-know on top: see tests/cases/test_case_page_scale.py
    "cases.notices": ALL,
    "cases.new": EDITORS,
    "cases.edit": EDITORS,
    "cases.new_document": EDITORS,
    # The access list of a case: its officer too (tests/cases/test_need_to_know.py).
    "cases.grant": REGISTRY,
    "cases.revoke": REGISTRY,
    "documents.show": ALL,
    "documents.attachment": ALL,
    "documents.original": ALL,
    "documents.edit": EDITORS,
    "documents.cancel": REGISTRY,
    "documents.move": REGISTRY,
    "directory.organisations": ALL,
    "directory.organisation": ALL,
    "directory.organisation_new": REGISTRY,
    "directory.organisation_edit": REGISTRY,
    "directory.organisation_merge": REGISTRY,
    "directory.contacts": ALL,
    "directory.contact": ALL,
    "directory.contact_new": REGISTRY,
    "directory.contact_edit": REGISTRY,
    "directory.contact_merge": REGISTRY,
    "directory.mailboxes": ALL,
    "directory.lookup_mailboxes": ALL,
    "directory.lookup_organisations": ALL,
    "directory.lookup_contacts": ALL,
    "directory.mailbox": ALL,
    "directory.mailbox_new": REGISTRY,
    "directory.mailbox_edit": REGISTRY,
    "directory.mailbox_merge": REGISTRY,
    "registry.series_list": ADMIN,
    "registry.series_new": ADMIN,
    "registry.series_edit": ADMIN,
    "settings.edit": ADMIN,
    "users.index": ADMIN,
    "users.new": ADMIN,
    "users.edit": ADMIN,
    "users.send_password_reset": ADMIN,
    "users.reset_second_factor": ADMIN,
    "mail.import_mail": EDITORS,
    "mail.inbox_list": EDITORS,
    "mail.review": EDITORS,
    "mail.confirm": EDITORS,
    "mail.discard": EDITORS,
    "mail.original": EDITORS,
    "followups.mine": ALL,
    "followups.create": EDITORS,
    "followups.edit": EDITORS,
    "followups.close": EDITORS,
    "followups.cancel": EDITORS,
    "followups.reopen": EDITORS,
    "followups.close_with_reply": EDITORS,
    "followups.await_reply": EDITORS,
    "followups.calendar_token": ALL,
    "followups.calendar_revoke": ALL,
    "followups.ical_feed": PUBLIC,
    "followups.groups": ADMIN,
    "notifications.outbox_list": ADMIN,
    "notifications.outbox_show": ADMIN,
    "notifications.outbox_resend": ADMIN,
    "notifications.outbox_mark_delivered": ADMIN,
    "notifications.subscription_list": REGISTRY,
    "notifications.subscribe_case": REGISTRY,
    "notifications.subscription_directions": REGISTRY,
    "notifications.follow_case": ALL,
    # Ending somebody else's subscription (as here); one's own is open to every role and is
    # tested in tests/notifications.
    "notifications.end_subscription": REGISTRY,
    "notifications.unsubscribe": PUBLIC,
}


@pytest.fixture
def world(app, factory):
    """One of everything a route can point at, built from the demo installation."""
    load_demo()
    case = db.session.scalar(sa.select(Case))
    doc = factory.document(
        case, attachments=[AttachmentInput("karta.pdf", "application/pdf", b"%PDF-1.4")]
    )
    entry = grant_access(case, actor=None, user=factory.user("reader"))
    item = store_message(
        b"From: a@ange.se\r\nSubject: Fraga\r\n\r\nHej\r\n", source=InboxSource.UPLOAD
    )
    db.session.commit()
    first = lambda model: db.session.scalar(sa.select(model).order_by(model.id))  # noqa: E731
    reader = db.session.scalar(sa.select(User).where(User.role == Role.READER))
    return {
        "case": case,
        "doc": doc,
        "attachment_id": doc.attachments[0].id,
        "organisation": first(Organisation),
        "contact": first(Contact),
        "mailbox": first(Mailbox),
        "series": first(Series),
        "user": reader,
        "item_id": item.id,
        "entry_id": entry.id,
        "fu_id": first(FollowUp).id,
        "sub_id": first(Subscription).id,
        "nid": first(Notification).id,
    }


def _args(endpoint: str, arguments: set[str], w: dict) -> dict:
    values: dict = {}
    blueprint = endpoint.split(".")[0]
    for name in arguments:
        if name == "number":
            values[name] = w["case"].number if blueprint == "cases" else w["doc"].number
        elif name == "id":
            kind = {
                "directory.organisation": "organisation",
                "directory.contact": "contact",
                "directory.mailbox": "mailbox",
                "registry": "series",
                "users": "user",
            }
            key = next(v for k, v in kind.items() if endpoint.startswith(k))
            values[name] = w[key].id
        elif name == "case_id":
            values[name] = w["case"].id
        elif name == "document_id":
            values[name] = w["doc"].id
        elif name == "token":
            values[name] = "not-a-valid-token"
        elif name == "filename":
            values[name] = "css/caseapp.css"
        else:
            values[name] = w[name]
    return values


def _requests(app, w):
    with app.test_request_context():
        urls = [
            (rule, app.url_for(rule.endpoint, **_args(rule.endpoint, set(rule.arguments), w)))
            for rule in app.url_map.iter_rules()
        ]
    for rule, url in urls:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_in_the_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - POLICY.keys() == set(), "routes without a decided policy"
    assert POLICY.keys() - endpoints == set(), "policy for routes that do not exist"


def _log_in(client, user: User | None) -> None:
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()  # the token as it is now (logout renews it)
            session["_fresh"] = True
    g.pop("_login_user", None)


def test_every_route_with_every_role(app, client, world, factory):
    users = {role: factory.user(role) for role in Role}
    db.session.commit()
    problems = []
    for endpoint, method, url in _requests(app, world):
        policy = POLICY[endpoint]
        for role in [None, *Role]:
            _log_in(client, users[role] if role else None)
            response = client.open(url, method=method, data={})
            status = response.status_code
            location = response.headers.get("Location", "")
            response.close()  # file responses (static, downloads) hold an open file
            # Logging out ends at the login page by design, and so does the login's second
            # step when no first one was made; elsewhere that means "refused".
            by_design = endpoint in ("auth.logout", "auth.login_code")
            to_login = status == 302 and "/login" in location and not by_design
            if status >= 500:
                problems.append(f"{method} {url} as {role}: {status}")
            elif policy == PUBLIC:
                if status in (401, 403) or to_login:
                    problems.append(f"{method} {url} as {role}: refused ({status}) but public")
            elif role is None:
                if not (status == 302 and "/login" in location):
                    problems.append(f"{method} {url} anonymous: {status}, expected login")
            elif role in policy:
                if status in (401, 403) or to_login:
                    problems.append(f"{method} {url} as {role}: refused ({status})")
            elif status != 403:
                problems.append(f"{method} {url} as {role}: {status}, expected 403")
            db.session.rollback()
    assert problems == [], "\n".join(problems)
