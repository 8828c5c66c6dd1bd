"""A searchable form field for a choice among hundreds of mailboxes.

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

from caseapp.directory.lookup import mailbox_label, resolve_mailbox


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


class MailboxField(StringField):
    """A mailbox, typed as its address, its name or ``Name <address>``; ``record`` is the
    mailbox once the form is valid."""

    widget = LookupInput("directory.lookup_mailboxes")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record = None

    def pre_validate(self, form) -> None:
        if not (self.data or "").strip():
            return  # InputRequired (or Optional) says what an empty field means
        found = resolve_mailbox(self.data)
        if found.mailbox is not None:
            self.record = found.mailbox
            self.data = mailbox_label(found.mailbox)
        elif found.count == 0:
            raise ValidationError(
                _("No mailbox matches “%(text)s”. Type the start of its address or name.")
                % {"text": self.data}
            )
        else:
            some = ", ".join(m.address for m in found.some)
            raise ValidationError(
                _(
                    "Several mailboxes match “%(text)s” (%(some)s …). Type more of the address,"
                    " or choose one of the suggestions."
                )
                % {"text": self.data, "some": some}
            )
