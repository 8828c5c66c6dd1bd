"""The words of the audit history: what each kind of event says, and each stored field and
value in words (see ``caseapp.audit.render``, which uses them).

A presentation module, like the views: it borrows the features' own words for their values
where a form has them already, so a status reads the same in a form and in the history.
Every event a service records has a sentence here; ``tests/audit/test_render.py`` renders
them all and fails on one that is missing.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from caseapp.auth.admin_forms import ROLE_LABELS as USER_ROLE_LABELS
from caseapp.cases.forms import STATUS_LABELS as CASE_STATUS_LABELS
from caseapp.directory.forms import MAILBOX_KIND_LABELS, ORGANISATION_KIND_LABELS
from caseapp.documents.forms import DIRECTION_LABELS, KIND_LABELS, ROLE_LABELS
from caseapp.errors import N_
from caseapp.followups.forms import OUTCOME_LABELS
from caseapp.followups.models import FollowUpKind, FollowUpStatus
from caseapp.mail.models import InboxSource
from caseapp.notifications.models import NotificationStatus, SubscriptionMode

# What an event says, by (entity type, action) or, where the summary says which of two
# things happened, (entity type, action, summary). Placeholders: see render._params.
SENTENCES: dict[tuple[str, ...], str] = {
    ("Case", "open"): N_("Opened the case %(name)s"),
    ("Case", "update"): N_("Changed the case %(name)s"),
    ("Case", "grant_access"): N_("Gave access to the confidential records of %(name)s"),
    ("Case", "revoke_access"): N_("Took away access to the confidential records of %(name)s"),
    ("Document", "register"): N_("Registered document %(name)s"),
    ("Document", "update"): N_("Corrected the description of document %(name)s"),
    ("Document", "cancel"): N_("Cancelled document %(name)s"),
    ("Document", "move_out"): N_("Moved document %(name)s to another case"),
    ("Document", "move_in"): N_("Moved document %(name)s here from another case"),
    ("FollowUp", "create"): N_("Added the follow-up “%(name)s”"),
    ("FollowUp", "update"): N_("Changed the follow-up “%(name)s”"),
    ("FollowUp", "close"): N_("Wrote off the follow-up “%(name)s”"),
    ("FollowUp", "cancel"): N_("Cancelled the follow-up “%(name)s”"),
    ("FollowUp", "reopen"): N_("Reopened the follow-up “%(name)s”"),
    ("Subscription", "subscribe"): N_("%(recipient)s subscribed to %(target)s"),
    ("Subscription", "unsubscribe"): N_("%(recipient)s stopped subscribing to %(target)s"),
    ("Notification", "resend"): N_("Queued the notification to %(name)s to be sent again"),
    ("Notification", "mark_delivered"): N_(
        "Marked the notification to %(name)s delivered (its delivery was uncertain)"
    ),
    ("Notification", "delivery_report"): N_("A delivery report came back for %(name)s"),
    ("Document", "withdraw_notices"): N_(
        "Withdrew the notices of cancelled document %(name)s and told those already notified"
    ),
    ("InboxItem", "receive"): N_("Received the mail “%(name)s”"),
    ("InboxItem", "discard"): N_("Took the mail “%(name)s” off the list without registering it"),
    ("InboxItem", "settle_report"): N_(
        "Recorded the delivery report “%(name)s” on the notice it was about"
    ),
    ("InboxItem", "recognise"): N_("Recognised the mail “%(name)s” as registered already"),
    ("Organisation", "create"): N_("Created the organisation %(name)s"),
    ("Organisation", "update"): N_("Changed the organisation %(name)s"),
    ("Organisation", "merge"): N_("Merged the organisation %(duplicate)s into %(name)s"),
    ("Organisation", "merged_into"): N_("Merged the organisation %(name)s into %(keep)s"),
    ("Contact", "create"): N_("Created the contact %(name)s"),
    ("Contact", "update"): N_("Changed the contact %(name)s"),
    ("Contact", "merge"): N_("Merged the contact %(duplicate)s into %(name)s"),
    ("Contact", "merged_into"): N_("Merged the contact %(name)s into %(keep)s"),
    ("Mailbox", "create"): N_("Created the mailbox %(name)s"),
    ("Mailbox", "update"): N_("Changed the mailbox %(name)s"),
    ("Mailbox", "merge"): N_("Merged the mailbox %(duplicate)s into %(name)s"),
    ("Mailbox", "merged_into"): N_("Merged the mailbox %(name)s into %(keep)s"),
    ("User", "create"): N_("Created the user %(name)s"),
    ("User", "update"): N_("Changed the user %(name)s"),
    ("User", "password"): N_("Changed the password of %(name)s"),
    ("User", "password_reset"): N_("Sent %(name)s a link to set a new password"),
    ("User", "second_factor_on"): N_("Turned on a second factor for %(name)s"),
    ("User", "second_factor_off"): N_("Turned off the second factor of %(name)s"),
    ("User", "second_factor_reset"): N_("Removed the second factor of %(name)s"),
    ("User", "recovery_code"): N_("%(name)s logged in with a recovery code"),
    ("Series", "create"): N_("Created the number series %(name)s"),
    ("Series", "update"): N_("Changed the number series %(name)s"),
    ("Setting", "update"): N_("Changed the setting “%(name)s”"),
    ("CalendarFeed", "calendar_token", "issued"): N_("Made a new calendar link"),
    ("CalendarFeed", "calendar_token", "revoked"): N_("Turned the calendar link off"),
    ("UserGroup", "group"): N_("Saved the group %(name)s"),
}

# An event this version has no sentence for (recorded by newer code, say).
UNKNOWN_EVENT = N_("Made a change")

# Fields a sentence names already: not listed again among the changes.
IN_SENTENCE: dict[tuple[str, str], frozenset[str]] = {
    ("Case", "open"): frozenset({"number"}),
    ("Document", "register"): frozenset({"number"}),
    ("FollowUp", "create"): frozenset({"title"}),
    ("Subscription", "subscribe"): frozenset({"recipient", "target"}),
    ("Organisation", "merge"): frozenset({"merged", "name"}),
    ("Organisation", "merged_into"): frozenset({"merged_into"}),
    ("Contact", "merge"): frozenset({"merged", "name"}),
    ("Contact", "merged_into"): frozenset({"merged_into"}),
    ("Mailbox", "merge"): frozenset({"merged", "address"}),
    ("Mailbox", "merged_into"): frozenset({"merged_into"}),
}

FIELD_LABELS = {
    "access_group": _l("Group with access"),
    "access_user": _l("User with access"),
    "active": _l("Active"),
    "address": _l("E-mail address"),
    "assignee_group_id": _l("Assigned to group"),
    "assignee_user_id": _l("Assigned to"),
    "attempts": _l("Delivery attempts"),
    "cancel_reason": _l("Reason for cancelling"),
    "confidential": _l("Confidential"),
    "description": _l("Description"),
    "direction": _l("Direction"),
    "directions": _l("Documents it hears of"),
    "withdrawn": _l("Notices withdrawn before they were sent"),
    "recomposed": _l("Daily digests composed again without it"),
    "corrections": _l("Cancellation notices queued"),
    "action": _l("Delivery report"),
    "report": _l("What the report says"),
    "document": _l("Document"),
    "default_officer_id": _l("Case officer of new cases"),
    "document_date": _l("Document date"),
    "documents": _l("Documents"),
    "domains": _l("E-mail domains"),
    "due": _l("Due"),
    "email": _l("E-mail address"),
    "emails": _l("E-mail addresses"),
    "format_template": _l("Number format"),
    "from_case": _l("Moved from case"),
    "followups": _l("Follow-ups"),
    "kind": _l("Kind"),
    "legal_basis": _l("Legal basis"),
    "members": _l("Members"),
    "mode": _l("Delivery"),
    "moved": _l("Moved"),
    "municipality_code": _l("Municipality code"),
    "name": _l("Name"),
    "note": _l("Note"),
    "notification_id": _l("Notice"),
    "number": _l("Number"),
    "officer_id": _l("Case officer"),
    "org_number": _l("Organisation number"),
    "organisation_id": _l("Organisation"),
    "outcome": _l("Outcome"),
    "own_domains": _l("Own e-mail domains"),
    "parties": _l("Parties"),
    "per_year": _l("Numbering restarts each year"),
    "phone": _l("Phone"),
    "prefix": _l("Prefix"),
    "programme_id": _l("Programme"),
    "public_title": _l("Public title"),
    "reason": _l("Reason"),
    "to_case": _l("Moved to case"),
    "recipient": _l("Recipient"),
    "requested_due": _l("Due date asked for"),
    "role": _l("Role"),
    "round_id": _l("Programme round"),
    "sha256": _l("Checksum (SHA-256)"),
    "size": _l("Size"),
    "source": _l("Received as"),
    "status": _l("Status"),
    "subject": _l("Subject"),
    "target": _l("Subscribes to"),
    "title": _l("Title"),
}

# The same key means another thing for one kind of record.
FIELD_LABELS_FOR = {
    ("Contact", "title"): _l("Job title"),
}

FOLLOWUP_STATUS_LABELS = {
    FollowUpStatus.OPEN: lazy_pgettext("follow-up", "Open"),
    FollowUpStatus.DONE: lazy_pgettext("follow-up", "Written off"),
    FollowUpStatus.CANCELLED: lazy_pgettext("follow-up", "Cancelled"),
}

FOLLOWUP_KIND_LABELS = {
    FollowUpKind.TASK: _l("Task"),
    FollowUpKind.REPLY: _l("Reply awaited"),
}

NOTIFICATION_STATUS_LABELS = {
    NotificationStatus.QUEUED: _l("Waiting"),
    NotificationStatus.SENDING: _l("Being sent"),
    NotificationStatus.DELIVERED: _l("Delivered"),
    NotificationStatus.CAUGHT: _l("Caught (development)"),
    NotificationStatus.FAILED: _l("Failed"),
    NotificationStatus.WITHDRAWN: _l("Withdrawn (never sent)"),
}

# RFC 3464's Action of a delivery report, as ``notifications.bounces`` records it.
DELIVERY_REPORT_ACTIONS = {
    "failed": _l("Could not be delivered"),
    "delayed": _l("Delayed; the receiving side keeps trying"),
}

SUBSCRIPTION_MODE_LABELS = {
    SubscriptionMode.IMMEDIATE: _l("At once, for every registered document"),
    SubscriptionMode.DAILY: _l("Once a day, as a digest"),
}

# Why a subscription ended, as the notification services record it.
UNSUBSCRIBE_REASONS = {
    "ended": _l("Ended by a user"),
    "unsubscribe link": _l("Through the unsubscribe link of a mail"),
}

INBOX_SOURCE_LABELS = {
    InboxSource.UPLOAD: _l("Uploaded"),
    InboxSource.PASTE: _l("Pasted"),
    InboxSource.SMTP: _l("By mail (SMTP)"),
    InboxSource.LMTP: _l("By mail (LMTP)"),
    InboxSource.IMAP: _l("From the mailbox (IMAP)"),
    InboxSource.CLI: _l("Command line"),
}

# Stored values that are codes, in words: by (entity type, field), or by field for all.
VALUE_LABELS_FOR = {
    ("Case", "status"): CASE_STATUS_LABELS,
    ("FollowUp", "status"): FOLLOWUP_STATUS_LABELS,
    ("FollowUp", "kind"): FOLLOWUP_KIND_LABELS,
    ("Notification", "status"): NOTIFICATION_STATUS_LABELS,
    ("Notification", "action"): DELIVERY_REPORT_ACTIONS,
    ("Document", "kind"): KIND_LABELS,
    ("Organisation", "kind"): ORGANISATION_KIND_LABELS,
    ("Mailbox", "kind"): MAILBOX_KIND_LABELS,
    ("Subscription", "reason"): UNSUBSCRIBE_REASONS,
}
VALUE_LABELS = {
    "direction": DIRECTION_LABELS,
    "directions": DIRECTION_LABELS,
    "mode": SUBSCRIPTION_MODE_LABELS,
    "outcome": OUTCOME_LABELS,
    "role": USER_ROLE_LABELS,
    "source": INBOX_SOURCE_LABELS,
}

PARTY_ROLE_LABELS = ROLE_LABELS

# What a merge moved, by the keys the directory's merges and their receivers count.
MOVED_LABELS = {
    "cases": _l("Cases"),
    "contacts": _l("Contacts"),
    "mailboxes": _l("Mailboxes"),
    "parties": _l("Document parties"),
    "domains": _l("E-mail domains"),
    "emails": _l("E-mail addresses"),
}

SETTING_LABELS = {
    "own_domains": _l("Own e-mail domains"),
}

DATE_FIELDS = frozenset({"document_date", "due", "requested_due"})
