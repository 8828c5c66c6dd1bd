"""Links in mail: from CASEAPP_BASE_URL, required in production; none to a login page for a
recipient outside the organisation."""

import re
from urllib.parse import quote

import pytest

from caseapp import create_app
from caseapp.config import ConfigurationError
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.extensions import db
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once
from caseapp.settings.services import set_own_domains

BASE = "https://diarium.statenssc.se"


def _production(database_url, **config):
    return {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", **config}


def test_production_refuses_to_start_without_base_url(migrated_database, monkeypatch):
    monkeypatch.delenv("CASEAPP_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="CASEAPP_BASE_URL is not set"):
        create_app(_production(migrated_database))
    with pytest.raises(ConfigurationError, match="not an http"):
        create_app(_production(migrated_database, BASE_URL="diarium.statenssc.se"))
    # Debugging and testing may do without (links then point at http://localhost).
    for mode in ({"DEBUG": True}, {"TESTING": True}):
        assert create_app(_production(migrated_database, **mode)).config["BASE_URL"] == ""
    assert create_app(_production(migrated_database, BASE_URL=BASE)).config["BASE_URL"] == BASE


def test_the_command_line_runs_without_base_url_but_the_worker_does_not(
    migrated_database, monkeypatch
):
    monkeypatch.delenv("CASEAPP_BASE_URL", raising=False)
    app = create_app(_production(migrated_database), command_line=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["settings", "own-domains"]).exit_code == 0
    refused = runner.invoke(args=["worker", "--once"])
    assert refused.exit_code != 0
    assert "CASEAPP_BASE_URL is not set" in refused.output
    with app.app_context():
        db.engine.dispose()


def _box(factory, address):
    return create_mailbox(
        address=address,
        name="Brevlåda",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )


def _links(received) -> list[str]:
    body = received.message.get_body(("plain",)).get_content()
    return re.findall(r"https?://\S+", body)


def test_links_use_base_url_and_skip_login_pages_for_outsiders(app, factory, smtp_server):
    app.config["BASE_URL"] = BASE
    set_own_domains(["statenssc.se"], actor=None)
    case = factory.case()
    outside = _box(factory, "postlista.kommunstyrelsen@ange.se")
    inside = _box(factory, "registrator@statenssc.se")
    staff = factory.user("officer", email="handlaggare@example.org")
    for who in ({"mailbox": outside}, {"mailbox": inside}, {"user": staff}):
        subscribe(actor=None, case=case, **who)
    doc = factory.document(case)
    db.session.commit()
    assert run_once().delivered == 3
    got = {m.rcpt_tos[0]: m for m in smtp_server.messages}

    case_link = f"{BASE}/cases/{quote(case.number, safe='/')}"
    for address in ("registrator@statenssc.se", "handlaggare@example.org"):
        links = _links(got[address])
        assert any(link.startswith(case_link) for link in links), links
        assert all(link.startswith(BASE) for link in links)

    outsider = got["postlista.kommunstyrelsen@ange.se"]
    text = outsider.message.get_body(("plain",)).get_content()
    links = _links(outsider)
    # Only the unsubscribe link, which needs no login; the mail says why there is no other.
    assert [link for link in links if "/unsubscribe/" not in link] == []
    assert all(link.startswith(BASE) for link in links)
    assert "kräver inloggning" in text and doc.number in text
    html = outsider.message.get_body(("html",)).get_content()
    assert "localhost" not in text + html
    assert [
        link for link in re.findall(r'href="([^"]+)"', html) if "/unsubscribe/" not in link
    ] == []
