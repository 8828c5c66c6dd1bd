"""The IMAP poller against a real Dovecot, started for these tests on a free loopback port."""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from imap_tools import MailBoxUnencrypted
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml, seed_eml

from caseapp.documents import filestore
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.imap import ImapError, ImapSettings, fetch_new
from caseapp.mail.importer import ImportDecision, register_inbox_item

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "registrator", "imap-test-secret"

pytestmark = pytest.mark.skipif(
    not os.path.exists(DOVECOT), reason="Dovecot is not installed (apt-get install dovecot-imapd)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accounts() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid): Dovecot refuses to run its login
    processes as root, so as root it uses its own system users."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    internal = pwd.getpwnam("dovecot")
    try:
        login = pwd.getpwnam("dovenull").pw_name
    except KeyError:
        login = internal.pw_name
    return internal.pw_name, login, internal.pw_uid, internal.pw_gid


@pytest.fixture(scope="module")
def dovecot():
    root = Path(tempfile.mkdtemp(prefix="caseapp-dovecot-"))
    root.chmod(0o755)  # the unprivileged login processes must reach the sockets
    internal, login, uid, gid = _accounts()
    for sub in ("mail", "home"):
        (root / sub).mkdir()
        os.chown(root / sub, uid, gid)
    port = _free_port()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/home/{USER}::\n")
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(gid).gr_name}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)])
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                proc.kill()
                pytest.fail(f"Dovecot did not start:\n{log}")
            time.sleep(0.1)
    yield port
    subprocess.run([DOVECOT, "-c", str(conf), "stop"], check=False, capture_output=True)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap(dovecot, app):
    """A clean INBOX, the app configured for it, and a client for the test's own checks."""
    with MailBoxUnencrypted("127.0.0.1", dovecot).login(USER, PASSWORD) as mb:
        for f in mb.folder.list():
            if f.name != "INBOX":
                mb.folder.delete(f.name)
        mb.folder.set("INBOX")
        uids = list(mb.uids("ALL"))
        if uids:
            mb.delete(uids)
    app.config.update(
        IMAP_HOST="127.0.0.1",
        IMAP_PORT=dovecot,
        IMAP_SECURITY="none",
        IMAP_USER=USER,
        IMAP_PASSWORD=PASSWORD,
        IMAP_FOLDER="INBOX",
        IMAP_PROCESSED_FOLDER="Registrerat",
    )

    def client():
        return MailBoxUnencrypted("127.0.0.1", dovecot).login(USER, PASSWORD)

    return client


def _items():
    db.session.rollback()
    return list(db.session.scalars(sa.select(inbox.InboxItem).order_by(inbox.InboxItem.id)))


def test_new_mail_is_stored_then_moved_and_a_second_run_adds_nothing(app, imap, world):
    mails = [make_eml(1), make_eml(2), seed_eml()]
    with imap() as mb:
        for m in mails:
            mb.append(m, "INBOX")

    report = fetch_new(ImapSettings.from_config(app.config))
    assert (report.stored, report.moved, report.duplicates) == (3, 3, 0)
    items = _items()
    assert [i.source for i in items] == [inbox.InboxSource.IMAP] * 3
    assert [filestore.get(i.raw_sha256) for i in items] == mails  # byte for byte
    assert all(";UIDVALIDITY=" in i.source_key for i in items)
    with imap() as mb:
        assert list(mb.uids("ALL")) == []
        mb.folder.set("Registrerat")
        assert len(list(mb.uids("ALL"))) == 3

    again = fetch_new(ImapSettings.from_config(app.config))
    assert (again.stored, again.moved) == (0, 0)
    assert len(_items()) == 3

    # The seed that came by IMAP registers like any other.
    seed_item = items[2]
    result = register_inbox_item(seed_item, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    assert [d.kind.value for d in result.documents] == ["forward", "original"]


def test_without_a_processed_folder_messages_are_flagged_seen(app, imap):
    app.config["IMAP_PROCESSED_FOLDER"] = None
    with imap() as mb:
        mb.append(make_eml(5), "INBOX")
    report = fetch_new(ImapSettings.from_config(app.config))
    assert (report.stored, report.flagged) == (1, 1)
    with imap() as mb:
        (msg,) = list(mb.fetch("ALL", mark_seen=False))
        assert "\\Seen" in msg.flags
    assert fetch_new(ImapSettings.from_config(app.config)).stored == 0
    assert len(_items()) == 1


def test_a_message_stored_but_not_moved_is_not_stored_twice(app, imap, monkeypatch):
    """A crash after the commit and before the move: the next run recognises the message."""
    with imap() as mb:
        mb.append(make_eml(7), "INBOX")
    import imap_tools.mailbox

    def crash(*args, **kwargs):
        raise ConnectionError("network gone after the commit")

    monkeypatch.setattr(imap_tools.mailbox.BaseMailBox, "move", crash)
    with pytest.raises(ConnectionError):
        fetch_new(ImapSettings.from_config(app.config))
    assert len(_items()) == 1  # committed before the server was touched
    monkeypatch.undo()
    report = fetch_new(ImapSettings.from_config(app.config))
    assert (report.stored, report.duplicates, report.moved) == (0, 1, 1)
    assert len(_items()) == 1


def test_the_command_reports_and_a_wrong_password_is_a_clear_error(app, imap, runner):
    with imap() as mb:
        mb.append(make_eml(8), "INBOX")
    result = runner.invoke(args=["mail", "fetch-imap"])
    assert result.exit_code == 0, result.output
    assert "1 stored" in result.stdout
    app.config["IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["mail", "fetch-imap"])
    assert result.exit_code == 1 and "cannot log in" in result.stderr
    with pytest.raises(ImapError):
        ImapSettings.from_config({"IMAP_HOST": None})


def test_a_mail_reusing_a_stored_message_id_does_not_make_the_genuine_one_vanish(app, imap, runner):
    """A mail sent to the gateway with a victim's Message-ID: the genuine mail that comes
    by IMAP afterwards is stored all the same, not moved away as 'already stored'."""
    inbox.store_message(
        make_eml(1, message_id="<victim@ange.se>", body="Falsk text.\n"),
        source=inbox.InboxSource.SMTP,
    )
    db.session.commit()
    genuine = make_eml(2, message_id="<victim@ange.se>")
    with imap() as mb:
        mb.append(genuine, "INBOX")
    result = runner.invoke(args=["mail", "fetch-imap"])
    assert result.exit_code == 0, result.output
    assert "1 stored, 0 already stored" in result.stdout
    items = _items()
    assert [filestore.get(i.raw_sha256) for i in items][1] == genuine
    assert [i.message_id for i in items] == ["<victim@ange.se>"] * 2


def test_a_blank_message_is_left_on_the_server_and_the_rest_is_fetched(app, imap, runner, caplog):
    with imap() as mb:
        mb.append(make_eml(1), "INBOX")
        mb.append(b"\r\n", "INBOX")
        mb.append(make_eml(2), "INBOX")
    result = runner.invoke(args=["mail", "fetch-imap"])
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.stdout and "1 unreadable, left on the server" in result.stdout
    assert any("unreadable" in r.getMessage() and "UID" in r.getMessage() for r in caplog.records)
    assert len(_items()) == 2
    with imap() as mb:
        assert len(list(mb.uids("ALL"))) == 1  # the blank one, kept
    again = runner.invoke(args=["mail", "fetch-imap"])  # and it blocks nothing later
    assert again.exit_code == 0 and "0 stored" in again.stdout
