"""Forms for registering, correcting and cancelling documents."""

from datetime import date, timedelta
from email.utils import getaddresses

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from caseapp.cases.forms import CleanTextMeta, int_or_none
from caseapp.cases.models import Case
from caseapp.cases.services import get_case
from caseapp.documents.models import Direction, Document, DocumentKind, PartyRole
from caseapp.documents.services import AttachmentInput, DocumentDraft, PartyInput
from caseapp.forms import VersionedForm
from caseapp.text import clean_filename
from caseapp.timeutil import local_today

DIRECTION_LABELS = {
    Direction.IN: _l("Incoming"),
    Direction.OUT: _l("Outgoing"),
    Direction.INTERNAL: _l("Internal"),
}

KIND_LABELS = {
    DocumentKind.LETTER: _l("Letter"),
    DocumentKind.NOTE: _l("Note"),
    DocumentKind.ORIGINAL: _l("Original message"),
    DocumentKind.FORWARD: _l("Forward"),
    DocumentKind.REPLY: _l("Reply"),
}

ROLE_LABELS = {
    PartyRole.FROM: _l("From"),
    PartyRole.TO: _l("To"),
    PartyRole.CC: _l("Cc"),
    PartyRole.BCC: _l("Bcc"),
}

# Documents are dated when written; a date years ahead is a typing error, not a plan.
EARLIEST_DATE = date(1900, 1, 1)
MAX_DAYS_AHEAD = 366


class LocalDateField(DateField):
    """A date input (``2021-06-07``) whose parse error is our own translated sentence."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(
                _l("Enter a real date as YYYY-MM-DD, for example 2021-06-07.")
            ) from exc


def check_document_date(value: date | None) -> None:
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError(_l("The date is too far in the past."))
    if value > local_today() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(_l("The date is too far in the future."))


def _checked_address(address: str) -> str:
    """The address normalised, or ValueError if it cannot be an e-mail address."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def parse_address_lines(text: str | None) -> list[tuple[str | None, str]]:
    """``Name <address>`` (or a bare address) per line → [(name, address)].

    Raises ValueError naming the first line (1-based) that is not exactly one valid address.
    """
    parsed = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        pairs = getaddresses([line])
        if len(pairs) > 1 and "<" in line and line.rstrip().endswith(">"):
            # Outlook writes "Larsson, Paul <paul@…>" unquoted; the comma is part of the name.
            name, _, rest = line.rpartition("<")
            pairs = [(name.strip().strip('"'), rest.rstrip(">").strip())]
        if len(pairs) != 1 or not pairs[0][1]:
            raise ValueError((number, line))
        name, address = pairs[0]
        try:
            address = _checked_address(address)
        except ValueError:
            raise ValueError((number, line)) from None
        parsed.append((name.strip() or None, address))
    return parsed


class _AddressLines(TextAreaField):
    """A textarea of recipients, one per line; ``parsed`` holds the result after validation."""

    parsed: list[tuple[str | None, str]]

    def pre_validate(self, form) -> None:
        self.parsed = []
        try:
            self.parsed = parse_address_lines(self.data)
        except ValueError as exc:
            number, line = exc.args[0]
            # gettext, not lazy_gettext: a lazy string counts as safe HTML in Jinja and the
            # line is what the user typed, so it must be escaped like any other text.
            raise ValidationError(
                _(
                    "Line %(number)s is not a valid address: “%(line)s”. "
                    "Write one recipient per line as Name <name@example.se>.",
                    number=number,
                    line=line,
                )
            ) from None


class _DocumentMetadata(FlaskForm):
    """Metadata that can be given at registration and corrected later."""

    class Meta(CleanTextMeta):
        pass

    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(message=_l("Give the document a subject.")), Length(max=1000)],
    )
    public_title = StringField(
        _l("Public title"),
        description=_l("Shown in the public list instead of the subject when it is confidential."),
        validators=[Optional(), Length(max=1000)],
    )
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice(d.value, label) for d, label in DIRECTION_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a direction."))],
    )
    document_date = LocalDateField(_l("Document date"), validators=[Optional()])
    confidential = BooleanField(_l("Confidential"))
    legal_basis = StringField(
        _l("Legal basis for confidentiality"),
        description=_l("For example OSL 21 kap. 7 §."),
        # No Optional(): it would stop the chain before validate_legal_basis runs.
        validators=[Length(max=200)],
    )

    def validate_document_date(self, field) -> None:
        check_document_date(field.data)

    def validate_legal_basis(self, field) -> None:
        if self.confidential.data and not (field.data or "").strip():
            raise ValidationError(_l("A confidential document needs its legal basis."))

    def metadata(self) -> dict:
        """The submitted metadata as keyword arguments for the document services."""
        confidential = bool(self.confidential.data)
        return {
            "subject": self.subject.data.strip(),
            "public_title": (self.public_title.data or "").strip() or None,
            "direction": Direction(self.direction.data),
            "document_date": self.document_date.data,
            "confidential": confidential,
            # A legal basis only means something for a confidential document.
            "legal_basis": (self.legal_basis.data or "").strip() or None if confidential else None,
        }


class DocumentForm(_DocumentMetadata):
    """Registering a document by hand (a paper letter, a note, an outgoing letter …)."""

    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default="letter",
    )
    body_text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=1_000_000)])
    from_name = StringField(_l("Sender’s name"), validators=[Optional(), Length(max=300)])
    from_address = StringField(
        _l("Sender’s e-mail address"), validators=[Optional(), Length(max=254)]
    )
    to = _AddressLines(
        _l("To"),
        description=_l("One recipient per line: Name <name@example.se>"),
        validators=[Optional(), Length(max=100_000)],
    )
    cc = _AddressLines(
        _l("Cc"),
        description=_l("One recipient per line: Name <name@example.se>"),
        validators=[Optional(), Length(max=100_000)],
    )
    parent_id = SelectField(_l("Forwards or replies to"), coerce=int_or_none)
    attachments = MultipleFileField(_l("Attachments"))

    def set_parent_choices(self, documents: list[Document], title=lambda d: d.subject) -> None:
        """``title`` names a document in the list (the masked title where the user has no
        need-to-know)."""
        # An old number a moved document left behind is nobody's parent: the document
        # itself, under its new number in the other case, is the one to link to.
        self.parent_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(d.id, f"{d.number} – {title(d)}") for d in documents if not d.is_moved
        ]

    def validate_from_address(self, field) -> None:
        if (field.data or "").strip():
            try:
                field.data = _checked_address(field.data.strip())
            except ValueError:
                raise ValidationError(
                    _("“%(address)s” is not a valid e-mail address.", address=field.data)
                ) from None

    def party_inputs(self) -> list[PartyInput]:
        parties = []
        name = (self.from_name.data or "").strip() or None
        address = (self.from_address.data or "").strip() or None
        if name or address:
            parties.append(PartyInput(PartyRole.FROM, name, address))
        for role, field in ((PartyRole.TO, self.to), (PartyRole.CC, self.cc)):
            parties.extend(PartyInput(role, n, a) for n, a in field.parsed)
        return parties

    def draft(self, parent: Document | None) -> DocumentDraft:
        """The document the form describes, as ``register_document`` takes it."""
        return DocumentDraft(
            kind=DocumentKind(self.kind.data),
            body_text=(self.body_text.data or "").strip() or None,
            parties=self.party_inputs(),
            parent=parent,
            attachments=self.attachment_inputs(),
            **self.metadata(),
        )

    def attachment_inputs(self) -> list[AttachmentInput]:
        inputs = []
        for upload in self.attachments.data or []:
            # A file input left empty still sends one part, with no file name.
            if upload is None or not getattr(upload, "filename", ""):
                continue
            inputs.append(
                AttachmentInput(
                    # Some browsers send a client-side path; only the file's own name is
                    # kept, cleaned of what could disguise it (caseapp.text).
                    filename=clean_filename(upload.filename) or "attachment",
                    media_type=upload.mimetype or "application/octet-stream",
                    content=upload.read(),
                )
            )
        return inputs


class DocumentEditForm(VersionedForm, _DocumentMetadata):
    """Correcting a registered document's metadata; its content never changes."""


class CancelForm(FlaskForm):
    """Cancelling (makulera) a document: the number stays, the reason is required."""

    class Meta(CleanTextMeta):
        pass

    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[
            DataRequired(message=_l("Say why the document is cancelled.")),
            Length(max=2000),
        ],
    )


class MoveForm(FlaskForm):
    """Moving a document to the case it belongs to: the case's number, and why."""

    class Meta(CleanTextMeta):
        pass

    def __init__(self, *args, **kwargs) -> None:
        # On the document page beside the cancel form, whose reason field is "reason".
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)

    to = StringField(
        _l("Case number"),
        description=_l("The case the document belongs to, for example KS 2021/123."),
        validators=[DataRequired(message=_l("Give the number of the case.")), Length(max=50)],
    )
    reason = TextAreaField(_l("Reason for moving"), validators=[Optional(), Length(max=2000)])

    #: the case named, once the form is valid
    case: Case | None = None

    def validate_to(self, field) -> None:
        self.case = get_case(field.data)
        if self.case is None:
            raise ValidationError(_("There is no case %(number)s.", number=field.data.strip()))
