"""Forms for organisations, contacts and mailboxes."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from caseapp.directory.fields import ContactField, MailboxField, OrganisationField
from caseapp.directory.models import MailboxKind, OrganisationKind
from caseapp.directory.services import is_valid_domain, parse_domains, parse_emails
from caseapp.forms import VersionedForm

ORGANISATION_KIND_LABELS = {
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.REGION: _l("Region"),
    OrganisationKind.AGENCY: _l("Government agency"),
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.OTHER: _l("Other"),
}

MAILBOX_KIND_LABELS = {
    MailboxKind.FUNCTIONAL: _l("Functional mailbox"),
    MailboxKind.REGISTRY: _l("Registry list (postlista)"),
}

NO_ORGANISATION = 0


class SearchForm(FlaskForm):
    """The GET filter above a list; it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])


class OrganisationSearchForm(SearchForm):
    kind = SelectField(_l("Kind"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", _l("All kinds"))] + [
            SelectChoice(k.value, label) for k, label in ORGANISATION_KIND_LABELS.items()
        ]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, label) for k, label in ORGANISATION_KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[
            Optional(),
            Regexp(r"^\d{6}-?\d{4}$", message=_l("Write the number as 212000-2296.")),
        ],
    )
    municipality_code = StringField(
        _l("Municipality code"),
        validators=[Optional(), Regexp(r"^\d{4}$", message=_l("A municipality code is 4 digits."))],
    )
    domains = TextAreaField(_l("E-mail domains"), validators=[Optional(), Length(max=5000)])

    def validate_domains(self, field) -> None:
        bad = [d for d in parse_domains(field.data) if not is_valid_domain(d)]
        if bad:
            # gettext, not lazy_gettext: a lazy string counts as safe HTML in Jinja, and this
            # message carries what the user typed.
            raise ValidationError(_("Not an e-mail domain: %(domains)s.", domains=", ".join(bad)))


class OrganisationEditForm(OrganisationForm, VersionedForm):
    pass


def _organisation_select(label) -> SelectField:
    """A select of organisations, 'none' first; the view fills the choices."""
    return SelectField(label, coerce=int, default=NO_ORGANISATION)


def organisation_choices(organisations, none_label=None) -> list[SelectChoice]:
    return [SelectChoice(NO_ORGANISATION, none_label or _l("(no organisation)"))] + [
        SelectChoice(o.id, o.name) for o in organisations
    ]


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    organisation_id = _organisation_select(_l("Organisation"))
    emails = TextAreaField(_l("E-mail addresses"), validators=[Optional(), Length(max=5000)])

    def validate_emails(self, field) -> None:
        bad = []
        for address in parse_emails(field.data):
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                bad.append(address)
        if bad:
            raise ValidationError(
                _("Not an e-mail address: %(addresses)s.", addresses=", ".join(bad))
            )


class ContactEditForm(ContactForm, VersionedForm):
    pass


class MailboxForm(FlaskForm):
    address = StringField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, label) for k, label in MAILBOX_KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    organisation_id = _organisation_select(_l("Organisation"))


class MailboxEditForm(MailboxForm, VersionedForm):
    pass


class MergeForm(FlaskForm):
    """Merge the record on this page (the duplicate) into the one chosen to keep, typed in
    a searchable field (a registry's directory has tens of thousands of records)."""

    version = HiddenField(validators=[InputRequired()])

    def leave_out(self, duplicate_id: int) -> "MergeForm":
        self.keep.exclude_id = duplicate_id
        return self


class OrganisationMergeForm(MergeForm):
    keep = OrganisationField(_l("Keep this one"), validators=[InputRequired()])


class ContactMergeForm(MergeForm):
    keep = ContactField(_l("Keep this one"), validators=[InputRequired()])


class MailboxMergeForm(MergeForm):
    keep = MailboxField(_l("Keep this one"), validators=[InputRequired()])
