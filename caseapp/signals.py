"""Signals sent inside service transactions, so other features can add rows to the same one.

A receiver runs in the registering transaction: what it writes commits or rolls back with the
registration (that is how outbox rows can never be lost or sent for a rolled-back document).
"""

from blinker import Namespace

_signals = Namespace()

#: sent with ``document=…, actor=…, writer=…`` after a document is registered and flushed;
#: receivers write their rows through ``writer`` (see ``caseapp.rows``)
document_registered = _signals.signal("document-registered")
#: sent with ``document=…, actor=…`` after a document is cancelled (makulerad) and flushed
document_cancelled = _signals.signal("document-cancelled")
#: sent with ``document=…, documents=…, from_case=…, to_case=…, actor=…`` after a document
#: (``documents``: it and those that moved with it) was moved to another case and flushed
document_moved = _signals.signal("document-moved")
#: sent with ``case=…, actor=…`` after a case is opened and flushed
case_opened = _signals.signal("case-opened")
#: sent with ``followups=…`` after follow-ups were created or changed (due date, assignee,
#: status, a reply offered, moved to another case) and written: what counts or lists
#: follow-ups by person knows its answers may have changed
followups_changed = _signals.signal("followups-changed")

# A directory record merged into another: the rows of other features that point at the
# duplicate must follow. The directory knows none of them; each feature's receiver moves its
# own rows (in the merging transaction) and returns ``{what: how many}``, which the merge
# adds to the counts it returns. Sent with ``keep=…, duplicate=…`` before the duplicate is
# marked merged. The app connects the receivers (``caseapp.views_setup``).
organisation_merged = _signals.signal("organisation-merged")
contact_merged = _signals.signal("contact-merged")
mailbox_merged = _signals.signal("mailbox-merged")
