"""Forms for subscriptions."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from caseapp.directory.models import Mailbox, Organisation
from caseapp.extensions import db
from caseapp.notifications.models import SubscriptionMode
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series

MODE_CHOICES = [
    SelectChoice(SubscriptionMode.IMMEDIATE.value, _l("At once, for every registered document")),
    SelectChoice(SubscriptionMode.DAILY.value, _l("Once a day, as a digest")),
]
LANGUAGE_CHOICES = [SelectChoice("sv", "Svenska"), SelectChoice("en", "English")]


def mailbox_choices() -> list[SelectChoice]:
    boxes = db.session.scalars(
        sa.select(Mailbox).where(Mailbox.merged_into_id.is_(None)).order_by(Mailbox.address)
    ).all()
    return [SelectChoice(str(m.id), f"{m.name} <{m.address}>") for m in boxes]


class CaseSubscriptionForm(FlaskForm):
    """Subscribe a mailbox to one case (from the case page)."""

    mailbox = SelectField(_l("Mailbox"), choices=[], validators=[InputRequired()])
    mode = RadioField(_l("How often"), choices=MODE_CHOICES, default="immediate")
    language = SelectField(_l("Language of the mail"), choices=LANGUAGE_CHOICES, default="sv")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailbox.choices = mailbox_choices()


class SubscriptionForm(FlaskForm):
    """Subscribe a mailbox to a case, a counterpart, a series or a programme."""

    mailbox = SelectField(_l("Mailbox"), choices=[], validators=[InputRequired()])
    case_number = StringField(_l("Case number"), validators=[Optional()])
    organisation = SelectField(_l("Counterpart organisation"), choices=[], validators=[Optional()])
    series = SelectField(_l("Number series"), choices=[], validators=[Optional()])
    programme = SelectField(_l("Programme"), choices=[], validators=[Optional()])
    mode = RadioField(_l("How often"), choices=MODE_CHOICES, default="immediate")
    language = SelectField(_l("Language of the mail"), choices=LANGUAGE_CHOICES, default="sv")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        none = [SelectChoice("", "—")]
        self.mailbox.choices = mailbox_choices()
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
