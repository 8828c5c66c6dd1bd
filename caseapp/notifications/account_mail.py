"""Mail about a user's own account: the password-reset link an admin sends.

The row is composed when it is queued, because the link's token exists only then (the
database keeps its hash); the worker sends a composed row as it is.
"""

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from caseapp.auth.models import User
from caseapp.notifications.models import Notification, NotificationKind
from caseapp.notifications.outbox import enqueue
from caseapp.timefmt import show_datetime


def queue_password_reset(
    user: User, *, link: str, expires_at: datetime, language: str
) -> Notification:
    """Queue the reset link to ``user`` through the outbox, in ``language`` (sv or en);
    it commits with the caller's transaction, like every notice."""
    n = enqueue(
        kind=NotificationKind.PASSWORD_RESET,
        recipient_email=user.email,
        recipient_name=user.name,
        language=language,
    )
    with force_locale(n.language):
        n.subject = _("Set a new password for the diarium")
        n.body_text = _(
            "Hello %(name)s,\n\nAn administrator has sent you a link to set a new password:\n\n"
            "%(link)s\n\nThe link works once, until %(expires)s. If you did not expect it, "
            "tell your administrator.\n",
            name=user.name,
            link=link,
            expires=show_datetime(expires_at),
        )
    return n
