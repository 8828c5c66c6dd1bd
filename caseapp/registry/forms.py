"""Forms for number series administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from caseapp.cases.forms import int_or_none, officer_choices
from caseapp.forms import VersionedForm
from caseapp.registry.models import DEFAULT_FORMAT


class SeriesForm(FlaskForm):
    prefix = StringField(_l("Prefix"), validators=[InputRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    format_template = StringField(
        _l("Number format"),
        default=DEFAULT_FORMAT,
        validators=[InputRequired(), Length(max=100)],
    )
    per_year = BooleanField(_l("Restart the numbering each year"), default=True)
    default_officer_id = SelectField(
        _l("Case officer of new cases"), coerce=int_or_none, validate_choice=False
    )


class SeriesEditForm(VersionedForm):
    """The prefix and the yearly restart are fixed once numbers have been given."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    format_template = StringField(
        _l("Number format"), validators=[InputRequired(), Length(max=100)]
    )
    active = BooleanField(_l("Open for new cases"))
    default_officer_id = SelectField(
        _l("Case officer of new cases"), coerce=int_or_none, validate_choice=False
    )


def set_officer_choices(form) -> None:
    form.default_officer_id.choices = officer_choices(_l("The one who registers"))
