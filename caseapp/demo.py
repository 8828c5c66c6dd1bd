"""``caseapp demo``: the installation of Statens servicecenter, built from the seed mail.

Idempotent: what exists already (matched by address, prefix, name or case title) is reused,
so running it twice changes nothing.
"""

from datetime import date
from importlib import resources

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from caseapp.auth.models import Role, User
from caseapp.auth.services import create_user
from caseapp.cases.models import Case
from caseapp.cases.services import open_case
from caseapp.directory import services as directory
from caseapp.directory.models import MailboxKind, Organisation, OrganisationKind
from caseapp.documents.models import Document, DocumentKind
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.followups.services import create_followup
from caseapp.mail import inbox
from caseapp.mail.importer import ImportDecision, register_inbox_item
from caseapp.mail.models import InboxSource
from caseapp.notifications.models import SubscriptionMode
from caseapp.notifications.subscriptions import subscribe
from caseapp.programmes.models import Programme, Round
from caseapp.registry.services import create_series, get_series
from caseapp.settings.services import set_own_domains

SEED = "vb-etablering-statliga-servicekontor.txt"
DEMO_PASSWORD = "demo-caseapp-2021"  # noqa: S105 - printed for the demo logins on purpose
CASE_TITLE = "Nytt statligt servicekontor i Ånge kommun"
OWN_DOMAINS = ["statenssc.se"]

DEMO_USERS = [
    ("admin@example.org", "Alva Admin", Role.ADMIN),
    ("registrator@example.org", "Rut Registrator", Role.REGISTRAR),
    ("samordnare@example.org", "Sam Samordnare", Role.OFFICER),
    ("handlaggare@example.org", "Hanna Handläggare", Role.OFFICER),
    ("lasare@example.org", "Love Läsare", Role.READER),
]


def seed_bytes() -> bytes:
    return resources.files("caseapp.demo_data").joinpath(SEED).read_bytes()


def _org(name, kind, domains, code=None) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    return org or directory.create_organisation(
        name=name, kind=kind, domains=domains, municipality_code=code, actor=None
    )


def _contact(name, email, org, title=None, phone=None):
    return directory.contact_for_email(email) or directory.create_contact(
        name=name, emails=[email], organisation=org, title=title, phone=phone, actor=None
    )


def _mailbox(address, name, kind, org):
    return directory.mailbox_for_email(address) or directory.create_mailbox(
        address=address, name=name, kind=kind, organisation=org, actor=None
    )


def load_demo() -> dict:
    """Create the demo installation if missing; return what a person needs to log in."""
    for email, name, role in DEMO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_user(email, name=name, role=role, password=DEMO_PASSWORD, demo=True)
    coordinator = db.session.scalar(sa.select(User).where(User.email == "samordnare@example.org"))

    # The demo is Statens servicecenter's own installation: mail from its domain is theirs.
    set_own_domains(OWN_DOMAINS, actor=None)
    ssc = _org("Statens servicecenter", OrganisationKind.AGENCY, ["statenssc.se"])
    ange = _org("Ånge kommun", OrganisationKind.MUNICIPALITY, ["ange.se"], code="2260")
    _contact(
        "Paul Larsson",
        "paul.larsson@statenssc.se",
        ssc,
        title="Divisionschef Medborgarservice",
        phone="+46(0)72 451 45 28",
    )
    _contact(
        "Clas Heinegård",
        "clas.heinegard@statenssc.se",
        ssc,
        title="Programsamordnare för nya servicekontor",
        phone="010-4560415",
    )
    _contact("Mattias Robertsson-Bly", "mattias.robertsson-bly@ange.se", ange)
    _contact("Erik Lövgren", "erik.lovgren@ange.se", ange)
    _mailbox("ange@ange.se", "Ånge kommun, funktionsbrevlåda", MailboxKind.FUNCTIONAL, ange)
    _mailbox(
        "postlista.kommunstyrelsen@ange.se",
        "Postlista Kommunstyrelsen",
        MailboxKind.REGISTRY,
        ange,
    )

    series = get_series("SSC") or create_series(
        "SSC", name="Statens servicecenter – etableringar", actor=None
    )
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.name == "Nya statliga servicekontor")
    )
    if programme is None:
        programme = Programme(
            name="Nya statliga servicekontor",
            description="Regeringens uppdrag att öppna minst 28 nya servicekontor.",
            rounds=[
                Round(number=1, name="Omgång 1 (2022)"),
                Round(number=2, name="Omgång 2 (2023)"),
            ],
        )
        db.session.add(programme)
        db.session.flush()

    case = db.session.scalar(sa.select(Case).where(Case.title == CASE_TITLE))
    if case is None:
        case = open_case(
            series,
            title=CASE_TITLE,
            actor=None,
            organisation=ange,
            officer=coordinator,
            description="Etablering i omgång 2 enligt regeringsuppdraget.",
            programme_id=programme.id,
            round_id=programme.rounds[1].id,
        )
        _register_seed(case)
    _demo_followup_and_subscription(case, coordinator)
    return {"case": case.number, "password": DEMO_PASSWORD, "users": DEMO_USERS}


def _register_seed(case: Case) -> None:
    """The seed mail, stored and registered in the case as the import would: its forward
    and the original it forwards, two linked documents."""
    raw = seed_bytes()
    item = inbox.store_message(
        raw,
        source=InboxSource.CLI,
        filename=SEED,
        media_type="text/plain; charset=utf-8",
    )
    register_inbox_item(item, ImportDecision(case=case), actor=None)


FOLLOWUP_TITLE = "Återkomma till Ånge kommun för dialog"


def _demo_followup_and_subscription(case: Case, coordinator: User | None) -> None:
    """The promise in the seed mail as a follow-up, and Ånge's Postlista subscribed to the case."""
    exists = db.session.scalar(
        sa.select(FollowUp.id).where(FollowUp.case_id == case.id, FollowUp.title == FOLLOWUP_TITLE)
    )
    if exists is None:
        original = db.session.scalar(
            sa.select(Document)
            .where(Document.case_id == case.id, Document.kind == DocumentKind.ORIGINAL)
            .order_by(Document.seq)
        )
        create_followup(
            case,
            title=FOLLOWUP_TITLE,
            due=date(2021, 10, 29),
            actor=None,
            assignee=coordinator,
            document=original,
        )
    postlista = directory.mailbox_for_email("postlista.kommunstyrelsen@ange.se")
    if postlista is not None:
        subscribe(actor=None, mailbox=postlista, case=case, mode=SubscriptionMode.IMMEDIATE)


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo installation (idempotent) and print the demo logins."""
    if not if_empty or database_is_empty():
        info = load_demo()
        db.session.commit()
        click.echo(f"Demo case: {info['case']}")
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for email, name, role in DEMO_USERS:
        click.echo(f"  {role.value:10} {email}  ({name})")
