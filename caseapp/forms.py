"""Form helpers shared by every feature."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField
from wtforms.validators import InputRequired

from caseapp.errors import StaleEdit


class EmptyForm(FlaskForm):
    """A POST-only action (log out, cancel …): only the CSRF token."""


def form_version(form: FlaskForm) -> int:
    """The record version an edit form was based on.

    A tampered or missing value counts as stale (-1): we cannot know what the user saw.
    """
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1


class VersionedForm(FlaskForm):
    """An edit form that carries the version it was based on, to detect stale edits."""

    version = HiddenField(validators=[InputRequired(message=_l("Missing version."))])


def show_service_error(form: FlaskForm, exc: Exception) -> int:
    """Put a refused change on the form and return the status to answer with.

    A stale edit (the service's version check, or the database's) is 409 with a message to
    reload; any other service error is 400, its translated message on the field it names,
    or above the form.
    """
    if isinstance(exc, StaleEdit | StaleDataError):
        form.form_errors.append(
            _("Someone else changed this record while you were editing it. Reload and try again.")
        )
        return 409
    message = exc.message()
    if exc.field and exc.field in form:
        form[exc.field].errors.append(message)
    else:
        form.form_errors.append(message)
    return 400
