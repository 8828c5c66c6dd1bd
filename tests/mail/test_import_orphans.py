"""Nothing orphaned: a case opened from the import gets an organisation and an officer, and
its follow-ups someone responsible — or, with nobody, the registry's queue."""

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.auth.models import Role
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.mail.importer import ImportDecision, NewFollowUp, import_chain
from caseapp.mail.parse import parse_bytes
from caseapp.mail.proposal import build_proposal
from caseapp.settings.services import set_own_domains

PROMISE = "Hej,\n\nVi återkommer senast den 15 september 2021 med vårt svar.\n\nKarin Ek\n"


@pytest.fixture(autouse=True)
def _ssc_installation(world):
    set_own_domains(["statenssc.se"], actor=None)  # the mail is to SSC's registry


def _from_karin(domain="landsbygdsverket.se", org="Landsbygdsverket", **kw) -> bytes:
    body = PROMISE + f"Utvecklingschef\n{org}\n"
    return make_eml(1, sender=f"Karin Ek <karin.ek@{domain}>", body=body, subject="Förfrågan", **kw)


def _new_case(p, world) -> ImportDecision:
    return ImportDecision(
        new_case_series=world.series,
        new_case_title=p.new_case_title,
        new_case_organisation=p.organisation,
        new_organisation=p.new_organisation,
        new_case_officer=p.officer,
    )


def test_an_unknown_counterpart_domain_is_proposed_as_an_organisation(world, factory):
    registrar = factory.user(Role.REGISTRAR)
    p = build_proposal(parse_bytes(_from_karin()), actor=registrar)
    assert p.case is None and p.organisation is None
    assert (p.new_organisation.name, p.new_organisation.domain) == (
        "Landsbygdsverket",
        "landsbygdsverket.se",
    )
    assert p.officer == registrar  # nobody else is named: the one who registers
    result = import_chain(p.chain, _new_case(p, world), actor=registrar)
    org = result.case.organisation
    assert org.name == "Landsbygdsverket" and org.email_domains == ["landsbygdsverket.se"]
    assert result.case.officer == registrar
    # The sender's party links to the organisation just created.
    assert result.documents[0].parties[0].organisation_id == org.id


def test_a_public_mail_service_is_not_an_organisation(world):
    mail = make_eml(1, sender="Kalle <kalle.k@gmail.com>", subject="Fråga")
    assert build_proposal(parse_bytes(mail)).new_organisation is None


def test_the_series_default_officer_wins_over_the_registering_user(world, factory):
    registrar = factory.user(Role.REGISTRAR)
    world.series.default_officer = world.coordinator
    db.session.flush()
    assert build_proposal(parse_bytes(_from_karin()), actor=registrar).officer == world.coordinator


def test_follow_ups_go_to_the_case_officer_or_to_the_registry_queue(world, factory):
    registrar = factory.user(Role.REGISTRAR)
    p = build_proposal(parse_bytes(_from_karin()), actor=registrar)
    assert [f.due.isoformat() for f in p.followups] == ["2021-09-15"]
    assert p.followup_assignee == registrar
    decision = _new_case(p, world)
    decision.followups = [NewFollowUp(p.followups[0].title, p.followups[0].due, 0)]
    fu = import_chain(p.chain, decision, actor=registrar).followups[0]
    assert fu.assignee_user is None and fu.case.officer == registrar  # the officer's own
    # With nobody as officer, the follow-up waits in the registry's queue.
    mail = _from_karin("skogsverket.se", "Skogsverket", message_id="<other@x>")
    p2 = build_proposal(parse_bytes(mail), actor=None)
    assert p2.case is None and p2.followup_assignee is None
    d2 = _new_case(p2, world)
    d2.followups = [NewFollowUp("Svar", p2.followups[0].due, 0)]
    fu2 = import_chain(p2.chain, d2, actor=None).followups[0]
    assert fu2.assignee_user is None and fu2.case.officer is None
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 2
