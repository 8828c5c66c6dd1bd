"""The installation's own mail domains: set on the admin page or the command line, audited,
and what decides a message's direction."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.settings.services import own_domains, set_own_domains


def test_the_cli_prints_and_sets_the_own_domains(app, runner):
    assert runner.invoke(args=["settings", "own-domains"]).output == ""
    result = runner.invoke(args=["settings", "own-domains", "Ange.se", "@kommun.ange.se"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["ange.se", "kommun.ange.se"]
    db.session.expire_all()
    assert own_domains() == ["ange.se", "kommun.ange.se"]
    bad = runner.invoke(args=["settings", "own-domains", "inte en domän"])
    assert bad.exit_code == 1 and "is not an e-mail domain" in bad.output
    assert own_domains() == ["ange.se", "kommun.ange.se"]  # nothing changed


def test_a_change_is_audited_and_the_same_value_again_is_not(app):
    set_own_domains(["ange.se"], actor=None)
    set_own_domains(["ange.se"], actor=None)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "Setting"))
    assert [(e.before, e.after) for e in events] == [
        ({"own_domains": []}, {"own_domains": ["ange.se"]})
    ]


def test_only_admins_set_them_on_the_settings_page(client, login_as):
    login_as("registrar")
    assert client.get("/admin/settings").status_code == 403
    login_as("admin")
    resp = client.post("/admin/settings", data={"own_domains": "ange.se\nange.net"})
    assert resp.status_code == 302
    assert own_domains() == ["ange.net", "ange.se"]
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "ange.net\nange.se" in page
    resp = client.post("/admin/settings", data={"own_domains": "ange.se\nnot a domain"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "is not an e-mail domain" in page
    assert "not a domain" in page  # the input is kept on the form
    assert own_domains() == ["ange.net", "ange.se"]
