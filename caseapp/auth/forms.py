from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Log in"))
