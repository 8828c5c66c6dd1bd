"""The lookup endpoint behind the searchable mailbox field (``directory.fields``).

Adds to the directory blueprint; imported before the blueprint is registered.
"""

from flask import jsonify, request
from flask_login import login_required

from caseapp.auth.permissions import Perm, require
from caseapp.directory.lookup import find_mailboxes, mailbox_label
from caseapp.directory.views import bp

# Fewer letters than this match too much to be a suggestion worth sending.
MIN_LETTERS = 2


@bp.get("/lookup/mailboxes")
@login_required
@require(Perm.VIEW)  # who may read the directory's mailboxes may be offered them
def lookup_mailboxes():
    """``?q=ång`` → ``[{"value": "Ånge kommun <ange@ange.se>"}, …]``, at most 20."""
    text = request.args.get("q", "")
    found = find_mailboxes(text) if len(text.strip()) >= MIN_LETTERS else []
    response = jsonify([{"value": mailbox_label(m)} for m in found])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
