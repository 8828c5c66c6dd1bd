"""Searchable form fields for a choice among hundreds: mailboxes, organisations, contacts.

A plain text input: without script the user types an address or a name and the server
resolves it on submit (``directory.lookup``), saying clearly when it matches none or
several. With script, ``caseapp.js`` fills the input's ``<datalist>`` with suggestions
from the lookup endpoint as the user types. Validation is the server's either way.
"""

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from caseapp.directory import lookup


class LookupInput(TextInput):
    """A text input with a ``<datalist>`` for suggestions from the endpoint ``endpoint``."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint

    def __call__(self, field, **kwargs):
        options = f"{field.id}-options"
        kwargs.update(
            {"list": options, "autocomplete": "off", "data-lookup": url_for(self.endpoint)}
        )
        datalist = Markup('<datalist id="{}"></datalist>').format(options)
        return super().__call__(field, **kwargs) + datalist


class LookupField(StringField):
    """A record typed as its name (or address); ``record`` is the record once the form is
    valid. ``exclude_id`` leaves one record out (a merge's duplicate itself)."""

    widget = LookupInput("directory.lookup_mailboxes")
    resolve = staticmethod(lookup.resolve_mailbox)
    label_of = staticmethod(lookup.mailbox_label)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record = None
        self.exclude_id: int | None = None

    def _resolve(self, text: str) -> lookup.Resolved:
        return self.resolve(text)

    def pre_validate(self, form) -> None:
        if not (self.data or "").strip():
            return  # InputRequired (or Optional) says what an empty field means
        found = self._resolve(self.data)
        if found.record is not None:
            self.record = found.record
            self.data = self.label_of(found.record)
        elif found.count == 0:
            raise ValidationError(self.none_message() % {"text": self.data})
        else:
            some = ", ".join(self.label_of(r) for r in found.some)
            raise ValidationError(self.many_message() % {"text": self.data, "some": some})

    def none_message(self) -> str:
        return _("No mailbox matches “%(text)s”. Type the start of its address or name.")

    def many_message(self) -> str:
        return _(
            "Several mailboxes match “%(text)s” (%(some)s …). Type more of the address,"
            " or choose one of the suggestions."
        )


class MailboxField(LookupField):
    """A mailbox, typed as its address, its name or ``Name <address>``."""


class OrganisationField(LookupField):
    """An organisation, typed as its name or as the suggestions write it (``Name [id]``)."""

    widget = LookupInput("directory.lookup_organisations")
    label_of = staticmethod(lookup.organisation_label)

    def _resolve(self, text: str) -> lookup.Resolved:
        return lookup.resolve_organisation(text, self.exclude_id)

    def none_message(self) -> str:
        return _("No organisation matches “%(text)s”. Type the start of its name.")

    def many_message(self) -> str:
        return _(
            "Several organisations match “%(text)s” (%(some)s …). Type more of the name,"
            " or choose one of the suggestions."
        )


class ContactField(LookupField):
    """A contact, typed as their name or as the suggestions write it."""

    widget = LookupInput("directory.lookup_contacts")
    label_of = staticmethod(lookup.contact_label)

    def _resolve(self, text: str) -> lookup.Resolved:
        return lookup.resolve_contact(text, self.exclude_id)

    def none_message(self) -> str:
        return _("No contact matches “%(text)s”. Type the start of their name.")

    def many_message(self) -> str:
        return _(
            "Several contacts match “%(text)s” (%(some)s …). Type more of the name,"
            " or choose one of the suggestions."
        )
