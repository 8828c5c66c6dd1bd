"""Forms for follow-ups."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.followups.models import FollowUpOutcome, UserGroup


def assignee_choices() -> list[SelectChoice]:
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True)).order_by(User.name)
    ).all()
    groups = db.session.scalars(sa.select(UserGroup).order_by(UserGroup.name)).all()
    return (
        [SelectChoice("", str(_l("The case officer")))]
        + [SelectChoice(f"u:{u.id}", u.name) for u in users]
        + [SelectChoice(f"g:{g.id}", str(_l("Group: %(name)s", name=g.name))) for g in groups]
    )


def assignee_from(value: str | None) -> User | UserGroup | None:
    """The user or group a form's ``u:ID``/``g:ID`` value names (None: the case officer)."""
    if not value:
        return None
    kind, _, ident = value.partition(":")
    model = {"u": User, "g": UserGroup}.get(kind)
    if model is None or not ident.isdigit():
        return None
    return db.session.get(model, int(ident))


def assignee_value(fu) -> str:
    if fu.assignee_user_id:
        return f"u:{fu.assignee_user_id}"
    if fu.assignee_group_id:
        return f"g:{fu.assignee_group_id}"
    return ""


class FollowUpForm(FlaskForm):
    title = StringField(_l("What is to be done"), validators=[InputRequired(), Length(max=500)])
    due = DateField(_l("Due date"), validators=[InputRequired()])
    assignee = SelectField(_l("Assigned to"), choices=[], validate_choice=True)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = assignee_choices()


class AwaitReplyForm(FlaskForm):
    due = DateField(_l("Reply due by"), validators=[InputRequired()])
    assignee = SelectField(_l("Assigned to"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = assignee_choices()


OUTCOME_LABELS = {
    FollowUpOutcome.ANSWERED: _l("Answered by a registered document"),
    FollowUpOutcome.DEALT_WITH: _l("Dealt with in another way"),
    FollowUpOutcome.NO_ACTION: _l("No action needed"),
}


class CloseForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validators=[InputRequired()],
    )
    document = SelectField(_l("Answering document"), choices=[], validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[InputRequired(), Length(max=200)])
    members = SelectMultipleField(_l("Members"), choices=[], coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = db.session.scalars(
            sa.select(User).where(User.active.is_(True)).order_by(User.name)
        ).all()
        self.members.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in users]
