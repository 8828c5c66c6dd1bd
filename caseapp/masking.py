"""What a text leaving the system may say: the one masking service.

It lives at the top of the package, beside the models it reads, so that both the mail
(``caseapp.notifications``) and the follow-ups' calendar feed (``caseapp.followups.ical``,
which knows nothing of mail) take their words from it.

Every mail about a registered document (immediate notices and digests, to mailboxes outside
the organisation) is built from ``mask_document_for_notice``: case number, a public title,
direction, dates — never the content, never a confidential title. A cancellation notice is
built from ``mask_cancellation_for_notice``: less still. Everything about a follow-up that
leaves the system (reminder and escalation mail, the iCalendar feed) takes its title from
``mask_followup_for_notice``.

These views are read from the records as they stand when the text is composed, and texts
are composed at every delivery attempt: a document marked confidential after its first
attempt is masked in every later one.
"""

from dataclasses import dataclass
from datetime import date, datetime

from caseapp.documents.models import Document
from caseapp.followups.models import FollowUp

MASKED_DOCUMENT_TITLE = {"sv": "Sekretessmarkerad handling", "en": "Document marked confidential"}
MASKED_CASE_TITLE = {"sv": "Sekretessmarkerat ärende", "en": "Case marked confidential"}
MASKED_FOLLOWUP_TITLE = {"sv": "Bevakning", "en": "Follow-up"}


@dataclass(frozen=True)
class DocumentNotice:
    """The public facts of a registered document, safe to mail to anybody."""

    number: str
    case_number: str
    case_title: str
    title: str
    direction: str  # "in", "out" or "internal"
    document_date: date | None
    registered_at: datetime
    masked: bool
    cancelled: bool


def _lang(lang: str) -> str:
    return lang if lang in MASKED_DOCUMENT_TITLE else "sv"


def mask_document_for_notice(doc: Document, lang: str = "sv") -> DocumentNotice:
    """The notice view of ``doc``.

    A document that is confidential itself, or lies in a confidential case, is shown by its
    ``public_title`` or else by a neutral "Sekretessmarkerad handling"; a confidential case by
    its public title or "Sekretessmarkerat ärende". No body, no parties, no attachments.
    """
    lang = _lang(lang)
    case = doc.case
    masked = bool(doc.confidential or case.confidential)
    if masked:
        title = (doc.public_title or "").strip() or MASKED_DOCUMENT_TITLE[lang]
    else:
        title = (doc.public_title or "").strip() or doc.subject
    if case.confidential:
        case_title = (case.public_title or "").strip() or MASKED_CASE_TITLE[lang]
    else:
        case_title = (case.public_title or "").strip() or case.title
    return DocumentNotice(
        number=doc.number,
        case_number=case.number,
        case_title=case_title,
        title=title,
        direction=doc.direction.value,
        document_date=doc.document_date,
        registered_at=doc.registered_at,
        masked=masked,
        cancelled=doc.is_cancelled,
    )


@dataclass(frozen=True)
class CancellationNotice:
    """What a cancellation notice says: the numbers and when the document was cancelled."""

    number: str
    case_number: str
    cancelled_at: datetime | None


def mask_cancellation_for_notice(doc: Document) -> CancellationNotice:
    """The cancellation view of ``doc``.

    Only what every earlier notice of it said unmasked (its number and its case's number)
    and the time it was cancelled: no title (the document may have been marked confidential,
    or unmarked, since the first notice), no reason for the cancellation (an internal note),
    no content.
    """
    return CancellationNotice(
        number=doc.number, case_number=doc.case.number, cancelled_at=doc.cancelled_at
    )


@dataclass(frozen=True)
class FollowUpNotice:
    """What may leave the system about a follow-up: its case's number, its due date and a
    title (None when masked: the follow-up's own title may quote a confidential subject,
    as "Svar väntas: <subject>" does)."""

    case_number: str
    due: date
    title: str | None
    masked: bool

    def shown_title(self, lang: str = "sv") -> str:
        """The title, or the neutral "Bevakning" when it is masked."""
        return self.title if self.title is not None else MASKED_FOLLOWUP_TITLE[_lang(lang)]


def followup_is_confidential(fu: FollowUp) -> bool:
    """A follow-up is confidential when its case is, or the document it was made from is."""
    return bool(fu.case.confidential or (fu.document is not None and fu.document.confidential))


def mask_followup_for_notice(fu: FollowUp) -> FollowUpNotice:
    """The outside view of ``fu``: no title when its case or its document is confidential.

    Only the case number and the due date are told then, never the title, the outcome note
    or the document's subject.
    """
    masked = followup_is_confidential(fu)
    return FollowUpNotice(
        case_number=fu.case.number, due=fu.due, title=None if masked else fu.title, masked=masked
    )
