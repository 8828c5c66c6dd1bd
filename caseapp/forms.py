"""Form helpers shared by every feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired


class EmptyForm(FlaskForm):
    """A POST-only action (log out, cancel …): only the CSRF token."""


class VersionedForm(FlaskForm):
    """An edit form that carries the version it was based on, to detect stale edits."""

    version = HiddenField(validators=[InputRequired(message=_l("Missing version."))])
