"""The settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class SettingsForm(FlaskForm):
    own_domains = TextAreaField(
        _l("The installation's own mail domains"),
        description=_l(
            "One per line, such as ange.se. Mail from them is outgoing, or internal when all "
            "its recipients are in them too; everything else is incoming. Subdomains count."
        ),
        validators=[Length(max=5000)],
    )
