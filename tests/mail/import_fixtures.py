"""Fixtures for the mail import tests (inbox, importer, gateway, IMAP).

Test modules take them with ``from import_fixtures import *``. ``world`` is the demo
installation's directory without the seed registered: Ånge kommun (ange.se) with its
functional mailbox and registry list, Statens servicecenter (statenssc.se) with Paul Larsson,
the SSC series and an open case for Ånge, whose officer is the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from caseapp.auth.models import Role, User
from caseapp.cases.models import Case
from caseapp.demo import seed_bytes
from caseapp.directory import services as directory
from caseapp.directory.models import MailboxKind, Organisation, OrganisationKind
from caseapp.extensions import db
from caseapp.registry.models import Series

__all__ = ["World", "make_eml", "out_of_office", "seed", "seed_eml", "world"]


@dataclass
class World:
    ange: Organisation
    ssc: Organisation
    series: Series
    case: Case
    coordinator: User


@pytest.fixture
def world(app, factory) -> World:
    coordinator = factory.user(Role.OFFICER, email="samordnare@example.org", name="Sam Samordnare")
    ssc = directory.create_organisation(
        name="Statens servicecenter",
        kind=OrganisationKind.AGENCY,
        domains=["statenssc.se"],
        actor=None,
    )
    ange = directory.create_organisation(
        name="Ånge kommun",
        kind=OrganisationKind.MUNICIPALITY,
        domains=["ange.se"],
        municipality_code="2260",
        actor=None,
    )
    directory.create_contact(
        name="Paul Larsson",
        emails=["paul.larsson@statenssc.se"],
        organisation=ssc,
        title="Divisionschef Medborgarservice",
        actor=None,
    )
    directory.create_contact(
        name="Mattias Robertsson-Bly",
        emails=["mattias.robertsson-bly@ange.se"],
        organisation=ange,
        actor=None,
    )
    directory.create_mailbox(
        address="ange@ange.se",
        name="Ånge kommun, funktionsbrevlåda",
        kind=MailboxKind.FUNCTIONAL,
        organisation=ange,
        actor=None,
    )
    directory.create_mailbox(
        address="postlista.kommunstyrelsen@ange.se",
        name="Postlista Kommunstyrelsen",
        kind=MailboxKind.REGISTRY,
        organisation=ange,
        actor=None,
    )
    series = factory.series("SSC", name="Statens servicecenter – etableringar")
    case = factory.case(
        "Nytt statligt servicekontor i Ånge kommun",
        series=series,
        organisation=ange,
        officer=coordinator,
    )
    db.session.commit()
    return World(ange=ange, ssc=ssc, series=series, case=case, coordinator=coordinator)


@pytest.fixture
def seed() -> bytes:
    return seed_bytes()


def make_eml(
    n: int = 1,
    *,
    sender: str = "Kim Kommun <kim.kommun@ange.se>",
    to: str = "Registrator <registrator@statenssc.se>",
    subject: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    body: str | None = None,
    extra_headers: str = "",
) -> bytes:
    """A small, valid RFC 5322 message (CRLF line ends)."""
    subject = subject or f"Fråga nummer {n} om servicekontor"
    message_id = message_id or f"<test-{n}@ange.se>"
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: Mon, 07 Jun 2021 13:{n % 60:02d}:00 +0200",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
        headers.append(f"References: {in_reply_to}")
    if extra_headers:
        headers.append(extra_headers)
    body = body or f"Hej,\n\nDetta är meddelande {n}. Vi hör av oss.\n\nKim Kommun\nÅnge kommun\n"
    text = "\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")
    return text.encode("utf-8")


def seed_eml() -> bytes:
    """The seed as the .eml Ånge's functional mailbox sent: the forward's header block as
    real headers, the rest as a quoted-printable body (lines short enough for SMTP)."""
    import email.policy
    from datetime import datetime
    from email.message import EmailMessage
    from email.utils import format_datetime
    from zoneinfo import ZoneInfo

    body = seed_bytes().decode("utf-8").split("---", 1)[1].lstrip("\n")
    msg = EmailMessage()
    msg["From"] = "Ange (Funktionsadress för ange@ange.se) <ange@ange.se>"
    msg["To"] = (
        "Postlista Kommunstyrelsen <Postlista.Kommunstyrelsen@ange.se>, "
        "Lövgren Erik <Erik.Lovgren@ange.se>"
    )
    msg["Subject"] = "VB: Etablering av statliga servicekontor"
    # The pasted header's "2021-06-07 12:41:30" is the machine's UTC: 14:41 in Ånge, an hour
    # after the original it forwards (13:42).
    msg["Date"] = format_datetime(datetime(2021, 6, 7, 12, 41, 30, tzinfo=ZoneInfo("UTC")))
    msg["Message-ID"] = "<seed-forward@ange.se>"
    msg.set_content(body, cte="quoted-printable")
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire


def out_of_office(in_reply_to: str) -> bytes:
    """An Outlook out-of-office reply (Swedish) to the message ``in_reply_to``."""
    return make_eml(
        50,
        sender="Mattias Robertsson-Bly <mattias.robertsson-bly@ange.se>",
        subject="Automatiskt svar: Fråga nummer 1 om servicekontor",
        in_reply_to=in_reply_to,
        body="Jag är på semester till och med den 2 augusti och läser inte min e-post.\n",
        extra_headers="Auto-Submitted: auto-replied",
    )
