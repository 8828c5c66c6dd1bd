from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Log in"))


def _new_password_fields():
    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1000)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    return password, confirm


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=1000)])
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change the password"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set the password"))


def _code_field(label, hint_numeric: bool) -> StringField:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
    if hint_numeric:
        attrs["inputmode"] = "numeric"
    return StringField(label, validators=[InputRequired(), Length(max=64)], render_kw=attrs)


class LoginCodeForm(FlaskForm):
    """The login's second step: a code from the app or a recovery code."""

    code = _code_field(_l("Code"), hint_numeric=False)
    submit = SubmitField(_l("Log in"))


class ConfirmSecondFactorForm(FlaskForm):
    code = _code_field(_l("Code from the app"), hint_numeric=True)
    submit = SubmitField(_l("Turn the second factor on"))


class TurnOffSecondFactorForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field(_l("Code from the app or a recovery code"), hint_numeric=False)
    submit = SubmitField(_l("Turn the second factor off"))
