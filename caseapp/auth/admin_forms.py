"""Forms for user administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from caseapp.auth.models import Role
from caseapp.auth.services import MIN_PASSWORD_LENGTH, user_by_email

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.REGISTRAR: _l("Registrar"),
    Role.OFFICER: _l("Case officer"),
    Role.READER: _l("Reader"),
}


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[InputRequired()],
    )


class UserCreateForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    role = _role_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=_l(
                    "The password must be at least %(min)d characters.", min=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )

    def validate_email(self, field) -> None:
        if user_by_email(field.data or ""):
            raise ValidationError(_l("A user with this address exists already."))


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    role = _role_field()
    active = BooleanField(_l("Active (may log in)"))
