"""Forms for subscriptions."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from caseapp.directory.fields import MailboxField
from caseapp.directory.models import Organisation
from caseapp.documents.models import Direction
from caseapp.extensions import db
from caseapp.notifications.coverage import MAILBOX_DIRECTIONS
from caseapp.notifications.models import Subscription, SubscriptionMode
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series

MODE_CHOICES = [
    SelectChoice(SubscriptionMode.IMMEDIATE.value, _l("At once, for every registered document")),
    SelectChoice(SubscriptionMode.DAILY.value, _l("Once a day, as a digest")),
]
LANGUAGE_CHOICES = [SelectChoice("sv", "Svenska"), SelectChoice("en", "English")]
DIRECTION_LABELS = {
    Direction.IN: _l("Incoming documents"),
    Direction.OUT: _l("Outgoing documents"),
    Direction.INTERNAL: _l("Internal documents (notes, memos)"),
}
MAILBOX_DIRECTION_CHOICES = [
    SelectChoice(d.value, DIRECTION_LABELS[d]) for d in (Direction.IN, Direction.OUT)
]
USER_DIRECTION_CHOICES = [SelectChoice(d.value, label) for d, label in DIRECTION_LABELS.items()]


class DirectionsField(SelectMultipleField):
    """The directions a subscription covers, as one checkbox each."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _directions_field() -> DirectionsField:
    return DirectionsField(
        _l("Notify about"),
        choices=MAILBOX_DIRECTION_CHOICES,
        default=sorted(d.value for d in MAILBOX_DIRECTIONS),
        description=_l("Only staff are notified of internal documents, never a mailbox."),
    )


def _mailbox_field() -> MailboxField:
    return MailboxField(
        _l("Mailbox"),
        validators=[InputRequired()],
        description=_l("Type the start of its address or name."),
    )


class CaseSubscriptionForm(FlaskForm):
    """Subscribe a mailbox to one case (from the case page)."""

    mailbox = _mailbox_field()
    mode = RadioField(_l("How often"), choices=MODE_CHOICES, default="immediate")
    directions = _directions_field()
    language = SelectField(_l("Language of the mail"), choices=LANGUAGE_CHOICES, default="sv")


class SubscriptionForm(FlaskForm):
    """Subscribe a mailbox to a case, a counterpart, a series or a programme."""

    mailbox = _mailbox_field()
    case_number = StringField(_l("Case number"), validators=[Optional()])
    organisation = SelectField(_l("Counterpart organisation"), choices=[], validators=[Optional()])
    series = SelectField(_l("Number series"), choices=[], validators=[Optional()])
    programme = SelectField(_l("Programme"), choices=[], validators=[Optional()])
    mode = RadioField(_l("How often"), choices=MODE_CHOICES, default="immediate")
    directions = _directions_field()
    language = SelectField(_l("Language of the mail"), choices=LANGUAGE_CHOICES, default="sv")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        none = [SelectChoice("", "—")]
        self.organisation.choices = none + [
            SelectChoice(str(o.id), o.name)
            for o in db.session.scalars(
                sa.select(Organisation)
                .where(Organisation.merged_into_id.is_(None))
                .order_by(Organisation.name)
            )
        ]
        self.series.choices = none + [
            SelectChoice(str(s.id), f"{s.prefix} – {s.name}")
            for s in db.session.scalars(sa.select(Series).order_by(Series.prefix))
        ]
        self.programme.choices = none + [
            SelectChoice(str(p.id), p.name)
            for p in db.session.scalars(sa.select(Programme).order_by(Programme.name))
        ]


class DirectionsForm(FlaskForm):
    """Change which documents an existing subscription covers (one form per row of the
    subscriptions page, so each has its own prefix)."""

    directions = DirectionsField(_l("Notify about"), choices=[])
    sub_id: int


def directions_form(sub: Subscription, formdata=None) -> DirectionsForm:
    """The directions form of ``sub``: its current directions, internal documents offered
    only to a user's subscription."""
    form = DirectionsForm(
        formdata=formdata,
        prefix=f"sub{sub.id}",
        data={"directions": sorted(d.value for d in sub.directions)},
    )
    form.sub_id = sub.id
    form.directions.choices = (
        USER_DIRECTION_CHOICES if sub.user_id is not None else MAILBOX_DIRECTION_CHOICES
    )
    return form
