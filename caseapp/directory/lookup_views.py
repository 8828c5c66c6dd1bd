"""The lookup endpoints behind the searchable fields (``directory.fields``).

Adds to the directory blueprint; imported before the blueprint is registered.
"""

from flask import jsonify, request
from flask_login import login_required

from caseapp.auth.permissions import Perm, require
from caseapp.directory.lookup import (
    contact_label,
    find_contacts,
    find_mailboxes,
    find_organisations,
    mailbox_label,
    organisation_label,
)
from caseapp.directory.views import bp

# Fewer letters than this match too much to be a suggestion worth sending.
MIN_LETTERS = 2


@bp.get("/lookup/mailboxes")
@login_required
@require(Perm.VIEW)  # who may read the directory's mailboxes may be offered them
def lookup_mailboxes():
    """``?q=ång`` → ``[{"value": "Ånge kommun <ange@ange.se>"}, …]``, at most 20."""
    return _suggest(find_mailboxes, mailbox_label)


def _suggest(find, label):
    text = request.args.get("q", "")
    found = find(text) if len(text.strip()) >= MIN_LETTERS else []
    response = jsonify([{"value": label(r)} for r in found])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/lookup/organisations")
@login_required
@require(Perm.VIEW)
def lookup_organisations():
    """``?q=ång`` → ``[{"value": "Ånge kommun [12]"}, …]``, at most 20."""
    return _suggest(find_organisations, organisation_label)


@bp.get("/lookup/contacts")
@login_required
@require(Perm.VIEW)
def lookup_contacts():
    """``?q=paul`` → ``[{"value": "Paul Larsson <paul@statenssc.se> [7]"}, …]``, at most 20."""
    return _suggest(find_contacts, contact_label)
