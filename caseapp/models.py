"""Imports every model so the metadata (and Alembic) sees the whole schema."""

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import LoginCounter, PasswordReset, User
from caseapp.cases.models import Case
from caseapp.directory.models import (
    Contact,
    ContactEmail,
    Mailbox,
    Organisation,
    OrganisationDomain,
)
from caseapp.documents.models import Attachment, Document, Party
from caseapp.followups.models import CalendarFeed, FollowUp, Reminder, UserGroup
from caseapp.mail.models import InboxItem
from caseapp.notifications.models import DeliveryAttempt, Notification, Subscription
from caseapp.programmes.models import Programme, Round
from caseapp.registry.models import NumberCounter, Series
from caseapp.settings.models import Setting

__all__ = [
    "CalendarFeed",
    "DeliveryAttempt",
    "FollowUp",
    "InboxItem",
    "Notification",
    "Reminder",
    "Subscription",
    "UserGroup",
    "Attachment",
    "AuditEvent",
    "Case",
    "Contact",
    "ContactEmail",
    "Document",
    "LoginCounter",
    "PasswordReset",
    "Mailbox",
    "NumberCounter",
    "Organisation",
    "OrganisationDomain",
    "Party",
    "Programme",
    "Round",
    "Series",
    "Setting",
    "User",
]
