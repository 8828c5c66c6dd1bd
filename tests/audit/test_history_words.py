"""The audit history reads in words: every kind of event that any service records, rendered
in Swedish and in English, shows no stored code, no field name and no untranslated text.

The events are made by the real services (and the one view that records), so they have the
shapes the services write; a scan of the sources fails when a new kind of event appears that
this module does not make.
"""

import re
from datetime import date
from pathlib import Path

import flask_babel
import pyotp
import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask_babel import force_locale

import caseapp
from caseapp.audit import words
from caseapp.audit.models import AuditEvent
from caseapp.audit.render import render_events
from caseapp.auth.models import Role
from caseapp.auth.second_factor import (
    complete_login,
    confirm_enrolment,
    reset_second_factor,
    start_enrolment,
    turn_off,
)
from caseapp.auth.services import create_user, issue_password_reset, set_password, update_user
from caseapp.cases import access
from caseapp.cases.models import CaseStatus
from caseapp.cases.services import open_case, update_case
from caseapp.db import Base
from caseapp.directory import services as directory
from caseapp.directory.models import MailboxKind, OrganisationKind
from caseapp.documents.models import Direction, DocumentKind, PartyRole
from caseapp.documents.services import (
    DocumentDraft,
    PartyInput,
    cancel_document,
    move_document,
    register_document,
    update_document,
)
from caseapp.extensions import db
from caseapp.followups import ical
from caseapp.followups import services as followups
from caseapp.followups.models import FollowUpOutcome, UserGroup
from caseapp.mail import inbox
from caseapp.mail.importer import ImportDecision, register_inbox_item
from caseapp.notifications import bounces, outbox, subscriptions
from caseapp.notifications.models import Notification, NotificationStatus, SubscriptionMode
from caseapp.programmes.models import Programme, Round
from caseapp.registry.services import create_series, update_series
from caseapp.settings.services import set_own_domains

ROOT = Path(caseapp.__file__).resolve().parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("sv", "en")

BOUNCE = (
    b"From: MAILER-DAEMON@mx.ange.se\nTo: caseapp@statenssc.se\n"
    b"Subject: Undelivered Mail Returned to Sender\nDate: Tue, 08 Jun 2021 10:00:00 +0200\n"
    b"MIME-Version: 1.0\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
    b"--B\nContent-Type: text/plain\n\nNot delivered.\n"
    b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.ange.se\n\n"
    b"Final-Recipient: rfc822; olle@example.org\nAction: failed\nStatus: 5.1.1\n"
    b"--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <notice-1@caseapp.test>\n"
    b"--B--\n"
)
MAIL = (
    "From: Kim Kommun <kim.kommun@ange.se>\r\n"
    "To: Registrator <registrator@statenssc.se>\r\n"
    "Subject: Fråga om servicekontor\r\n"
    "Date: Mon, 07 Jun 2021 13:42:00 +0200\r\n"
    "Message-ID: <fraga-1@ange.se>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Hej, när öppnar kontoret?\r\n"
).encode()


def _version(obj) -> int:
    db.session.flush()
    return obj.version


@pytest.fixture
def every_event(app, client, login_as):
    """One of each kind of audit event, made the way the application makes it."""
    admin = login_as(Role.ADMIN, name="Astrid Administratör", email="astrid@example.org")
    officer = create_user(
        "olle@example.org", name="Olle Handläggare", role=Role.OFFICER,
        password="ett-långt-lösenord", actor=admin,
    )  # fmt: skip
    update_user(officer, actor=admin, name="Olle Handläggaresson", role=Role.REGISTRAR)
    issue_password_reset(officer, actor=admin)
    set_password(officer, "ett-annat-långt-lösenord", actor=admin)
    start_enrolment(officer)
    codes = confirm_enrolment(officer, pyotp.TOTP(officer.second_factor.secret).now())
    complete_login(officer, codes[0], "192.0.2.1")
    turn_off(officer, password="ett-annat-långt-lösenord", code=codes[1], source="192.0.2.1")
    start_enrolment(officer)
    confirm_enrolment(officer, pyotp.TOTP(officer.second_factor.secret).now())
    reset_second_factor(officer, actor=admin)
    series = create_series("KS", name="Kommunstyrelsen", actor=admin)
    update_series(series, version=_version(series), actor=admin, name="Kommunstyrelsens diarium")
    set_own_domains(["statenssc.se"], actor=admin)

    ange = directory.create_organisation(
        name="Ånge kommun", kind=OrganisationKind.MUNICIPALITY, actor=admin,
        domains=["ange.se"], municipality_code="2260",
    )  # fmt: skip
    directory.update_organisation(
        ange, version=_version(ange), actor=admin, domains=["ange.se", "ange.nu"],
        kind=OrganisationKind.MUNICIPALITY, name="Ånge kommun", org_number="212000-2411",
    )  # fmt: skip
    twin = directory.create_organisation(
        name="Ånge kn", kind=OrganisationKind.OTHER, actor=admin, domains=["angekn.se"]
    )
    paul = directory.create_contact(
        name="Paul Larsson", emails=["paul.larsson@statenssc.se"], actor=admin, title="Chef"
    )
    directory.update_contact(
        paul, version=_version(paul), actor=admin, emails=["paul.larsson@statenssc.se"],
        title="Divisionschef", organisation_id=ange.id,
    )  # fmt: skip
    paul_again = directory.create_contact(
        name="P. Larsson", emails=["pl@statenssc.se"], actor=admin
    )
    box = directory.create_mailbox(
        address="ange@ange.se", name="Funktionsbrevlåda", actor=admin, organisation=twin
    )
    directory.update_mailbox(box, version=_version(box), actor=admin, kind=MailboxKind.REGISTRY)
    box_again = directory.create_mailbox(address="info@ange.se", name="Info", actor=admin)

    programme = Programme(name="Nya statliga servicekontor")
    programme.rounds = [Round(number=2, name="Omgång 2 (2023)")]
    db.session.add(programme)
    db.session.flush()
    case = open_case(series, title="Servicekontor i Ånge", actor=admin, organisation=twin)
    update_case(
        case, version=_version(case), actor=admin, title="Nytt servicekontor i Ånge",
        status=CaseStatus.PAUSED, organisation_id=ange.id, officer_id=officer.id,
        programme_id=programme.id, round_id=programme.rounds[0].id, confidential=True,
        legal_basis="OSL 21 kap. 7 §", description="Etablering", public_title="Servicekontor",
    )  # fmt: skip

    subscription = subscriptions.subscribe(
        actor=admin, mailbox=box, case=case, mode=SubscriptionMode.DAILY
    )
    link_subscription = subscriptions.subscribe(actor=admin, user=officer, case=case)
    doc = register_document(
        case,
        DocumentDraft(
            direction=Direction.IN, kind=DocumentKind.ORIGINAL, subject="Etablering",
            document_date=date(2021, 6, 7),
            parties=[
                PartyInput(PartyRole.FROM, "Paul Larsson", "paul.larsson@statenssc.se"),
                PartyInput(PartyRole.TO, None, "ange@ange.se"),
                PartyInput(PartyRole.CC, "Clas Heinegård", "clas.heinegard@statenssc.se"),
            ],
        ),
        actor=admin,
    )  # fmt: skip
    update_document(
        doc, version=_version(doc), actor=admin, direction=Direction.OUT,
        document_date=date(2021, 6, 8), confidential=True, legal_basis="OSL 21 kap. 7 §",
    )  # fmt: skip
    letter = register_document(
        case, DocumentDraft(direction=Direction.OUT, subject="Svar"), actor=admin
    )
    cancel_document(letter, reason="Registrerad två gånger", actor=admin)
    other_case = open_case(series, title="Annat ärende", actor=admin)
    note = register_document(
        other_case, DocumentDraft(direction=Direction.INTERNAL, subject="Anteckning"), actor=admin
    )
    move_document(note, to=case, actor=admin, reason="Fel ärende")

    notice = db.session.scalar(sa.select(Notification).where(Notification.case_id == case.id))
    notice.status = NotificationStatus.FAILED  # as the worker leaves it after its retries
    notice.attempts = 5
    outbox.resend(notice, actor=admin)
    notice.status = NotificationStatus.UNCERTAIN  # the worker died with it handed over
    outbox.mark_delivered(notice, actor=admin)  # the recipient said it had come
    notice.status = NotificationStatus.DELIVERED  # and a delivery report about it came back
    notice.message_id = "<notice-1@caseapp.test>"
    bounces.record_bounce(
        original_message_id=notice.message_id, recipients=[notice.recipient_email],
        action="failed", status="5.1.1", diagnostic="550 5.1.1 User unknown",
    )  # fmt: skip
    inbox.store_message(BOUNCE, source=inbox.InboxSource.SMTP)  # the same report, by mail
    subscriptions.end_subscription(subscription, actor=admin)
    subscriptions.end_subscription(link_subscription, actor=None, reason="unsubscribe link")

    group = UserGroup(name="Registraturen")
    db.session.add(group)
    fu = followups.create_followup(
        case, title="Återkomma", due=date(2021, 10, 30), actor=admin,  # a Saturday
        assignee=officer, document=doc,
    )  # fmt: skip
    followups.update_followup(
        fu, version=_version(fu), actor=admin, title="Återkomma till Ånge kommun",
        due=date(2021, 10, 29), assignee=group,
    )  # fmt: skip
    followups.close_followup(
        fu, actor=admin, outcome=FollowUpOutcome.ANSWERED, document=doc, note="Besvarad"
    )
    followups.reopen_followup(fu, actor=admin)
    followups.cancel_followup(fu, actor=admin)
    access.grant_access(case, actor=admin, group=group)
    access.revoke_access(access.grant_access(case, actor=admin, user=officer), actor=admin)

    directory.merge_organisations(ange, twin, actor=admin)
    directory.merge_contacts(paul, paul_again, actor=admin)
    directory.merge_mailboxes(box, box_again, actor=admin)

    item = inbox.store_message(MAIL, source=inbox.InboxSource.UPLOAD, actor=admin)
    register_inbox_item(item, ImportDecision(case=case), actor=admin)
    again = inbox.store_message(MAIL, source=inbox.InboxSource.PASTE, actor=admin)
    register_inbox_item(again, ImportDecision(case=case), actor=admin)
    unwanted = inbox.store_message(
        MAIL.replace(b"fraga-1", b"fraga-2"), source=inbox.InboxSource.SMTP, actor=admin
    )
    inbox.discard(unwanted, reason="Reklam", actor=admin)

    ical.issue_calendar_token(admin)
    ical.revoke_calendar_token(admin)
    db.session.commit()
    # The one event a view records itself.
    response = client.post(
        "/followups/groups", data={"name": "Registraturen", "members": [officer.id]}
    )
    assert response.status_code == 302
    return case


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


# ---------------------------------------------------------------- every kind is made here

_RECORDED = re.compile(r"""(?:\brecord|\.audit)\(\s*["'](\w+)["']""")


def _actions_in_sources() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        found |= set(_RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_kind_of_event_the_code_records_is_made_here(every_event):
    made = {e.action for e in _events()}
    in_sources = _actions_in_sources()
    assert {"open", "register", "merged_into", "calendar_token"} <= in_sources  # the scan works
    assert in_sources <= made, f"not made by this test: {sorted(in_sources - made)}"


def test_every_event_made_has_its_own_sentence(every_event):
    kinds = {(e.entity_type, e.action, e.summary or "") for e in _events()}
    missing = [k for k in kinds if k not in words.SENTENCES and k[:2] not in words.SENTENCES]
    assert not missing


# ---------------------------------------------------------------- in words


def _catalogue(locale: str) -> list[re.Pattern]:
    """Every translated text of the locale, placeholders as wildcards."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    texts = set()
    for m in catalog:
        if m.id:
            texts |= {t for t in (m.string if isinstance(m.string, tuple) else (m.string,)) if t}
    return [
        re.compile(".+?".join(re.escape(p) for p in re.split(r"%\(\w+\)[sd]", t)) + r"\Z")
        for t in texts
    ]


def _translated(text: str, catalogue: list[re.Pattern]) -> bool:
    return any(p.match(text) for p in catalogue)


def _stored_codes() -> set[str]:
    """Every enum value a column stores."""
    codes = set()
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class is not None:
                codes |= {m.value for m in enum_class}
    return codes


def _codes_of(ev: AuditEvent) -> set[str]:
    """What the event stores that is not for a reader: its action, entity type and field
    names, the enum values and code words in it."""
    codes = {ev.action, ev.entity_type, "True", "False", "None"}
    for side in (ev.before or {}, ev.after or {}):
        codes |= set(side)
        for value in side.values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v in _stored_codes() | set(words.UNSUBSCRIBE_REASONS):
                    codes.add(v)
    if ev.summary in ("issued", "revoked", "own_domains"):
        codes.add(ev.summary)
    return codes


SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}|\d{2}:\d{2}[+-]\d{2}:?\d{2}\b")
PARTY_CODE = re.compile(r"\b(from|to|cc|bcc):")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_event_reads_in_words_in_both_languages(every_event, locale):
    catalogue = _catalogue(locale)
    events = _events()
    with force_locale(locale):
        rendered = render_events(events)
    assert len(rendered) == len(events)
    problems = []
    for ev, r in zip(events, rendered, strict=True):
        where = f"{ev.entity_type}.{ev.action}"
        texts = [r.who, r.sentence] + [
            t for c in r.changes for t in (c.label, c.before, c.after) if t is not None
        ]
        for t in texts:
            for pattern in (SNAKE_CASE, ISO_TIME, PARTY_CODE):
                if pattern.search(t):
                    problems.append(f"{where}: a stored form in {t!r}")
        if not _translated(r.sentence, catalogue):
            problems.append(f"{where}: untranslated sentence {r.sentence!r}")
        for c in r.changes:
            if not _translated(c.label, catalogue):
                problems.append(f"{where}: untranslated label {c.label!r}")
        for c, (key, b, a) in zip(r.changes, _shown_fields(ev), strict=True):
            problems += _value_problems(where, key, b, c.before, catalogue, _codes_of(ev))
            problems += _value_problems(where, key, a, c.after, catalogue, _codes_of(ev))
        if locale == "sv":
            # Swedish text shares no word with the English codes: none may appear at all.
            for code in _codes_of(ev):
                for t in texts:
                    if re.search(rf"(?<![\w@.{{-]){re.escape(code)}(?![\w@.}}-])", t):
                        problems.append(f"{where}: the code {code!r} in {t!r}")
    assert not problems, "\n".join(problems)


def _shown_fields(ev: AuditEvent):
    """(key, stored before, stored after) of the fields the rendering lists, in its order."""
    skip = words.IN_SENTENCE.get((ev.entity_type, ev.action), frozenset())
    before, after = ev.before, ev.after
    missing = object()
    for key in dict.fromkeys([*(before or {}), *(after or {})]):
        if key in skip or (before is None and _empty(after.get(key))):
            continue
        yield (
            key,
            before.get(key, missing) if before is not None else missing,
            after.get(key, missing) if after is not None else missing,
        )


def _empty(value) -> bool:
    # 0 is a count worth showing; False is a flag not set.
    return value is None or value is False or value in ("", [], {})


def _value_problems(where, key, stored, shown, catalogue, codes) -> list[str]:
    if shown is None:
        return []
    if stored is None or stored == "" or stored == []:
        return [] if shown == "–" else [f"{where}.{key}: empty shown as {shown!r}"]
    if isinstance(stored, bool) or (isinstance(stored, str) and stored in codes):
        ok = _translated(shown, catalogue) and shown != str(stored)
        return [] if ok else [f"{where}.{key}: {stored!r} shown as {shown!r}"]
    if isinstance(stored, int) and (key.endswith("_id") or key in ("merged", "merged_into")):
        return [f"{where}.{key}: an id shown as {shown!r}"] if shown == str(stored) else []
    return []


def test_values_read_as_people_write_them(app, factory):
    user = factory.user(name="Rebecka Registrator")
    event = AuditEvent(
        action="update",
        entity_type="Case",
        entity_id=None,
        actor_id=user.id,
        before={"officer_id": None, "confidential": False, "document_date": "2021-06-07"},
        after={"officer_id": user.id, "confidential": True, "document_date": "2021-06-08"},
    )
    party_event = AuditEvent(
        action="register",
        entity_type="Document",
        after={
            "parties": ["from: Paul Larsson <paul.larsson@statenssc.se>", "to:  <ange@ange.se>"],
            "received": "2021-06-07T11:42:00+00:00",
        },
    )
    db.session.add_all([event, party_event])
    db.session.flush()
    with force_locale("sv"):
        changed, registered = render_events([event, party_event])
    assert changed.who == "Rebecka Registrator"
    assert [(c.label, c.before, c.after) for c in changed.changes] == [
        ("Handläggare", "–", "Rebecka Registrator"),
        ("Sekretess", "Nej", "Ja"),
        ("Handlingens datum", "2021-06-07", "2021-06-08"),
    ]
    parties, received = registered.changes
    assert parties.after == "Från: Paul Larsson <paul.larsson@statenssc.se>; Till: ange@ange.se"
    # A time the log keeps in UTC reads in Swedish time (summer: two hours ahead).
    assert received.after == "2021-06-07 13:42"
    assert registered.who == "systemet"


def test_the_case_history_is_in_swedish_words(client, every_event):
    with client.session_transaction() as session:
        session["lang"] = "sv"
    flask_babel.refresh()  # the tests' one app context keeps the locale it found first
    page = client.get(f"/cases/{every_event.number}/history").get_data(as_text=True)
    history = page[page.index('<table class="history">') :]
    history = re.sub(r'<time datetime="[^"]*">', "", history)
    text = " ".join(re.sub(r"<[^>]+>", " ", history).split())
    assert "Öppnade ärendet" in text and "Registrerade handling" in text
    assert "Från: Paul Larsson &lt;paul.larsson@statenssc.se&gt;" in text
    for code in ("dealt_with", "requested_due", "immediate", "daily", "from:", "True", "None"):
        assert code not in text
    assert not ISO_TIME.search(text)


def test_names_are_looked_up_once_per_kind_not_once_per_event(app, factory):
    officers = [factory.user(name=f"Handläggare {n}") for n in range(12)]
    orgs = [factory.organisation(f"Kommun {n}") for n in range(12)]
    events = [
        AuditEvent(
            action="update",
            entity_type="Case",
            actor_id=officer.id,
            before={"officer_id": None, "organisation_id": None},
            after={"officer_id": officer.id, "organisation_id": org.id},
        )
        for officer, org in zip(officers, orgs, strict=True)
    ]
    db.session.add_all(events)
    db.session.flush()

    def queries(evs) -> int:
        statements = []

        def collect(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", collect)
        try:
            with force_locale("en"):
                rendered = render_events(evs)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", collect)
        assert rendered[-1].changes[0].after == officers[len(evs) - 1].name
        return len(statements)

    assert queries(events) == queries(events[:2])
