"""Service errors: English on the command line, the user's language on a page."""

import flask_babel

from caseapp.errors import N_, ServiceError


def test_service_error_is_english_outside_a_request(app):
    exc = ServiceError(N_("The series %(prefix)s is closed for new cases."), prefix="KS")
    assert str(exc) == "The series KS is closed for new cases."
    assert exc.message() == str(exc)


def test_service_error_is_translated_for_the_page(app):
    exc = ServiceError(N_("The series %(prefix)s is closed for new cases."), prefix="KS")
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"
    with app.test_request_context("/"):
        flask_babel.refresh()
        assert exc.message() == "Diarieserien KS är stängd för nya ärenden."
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    with app.test_request_context("/"):
        flask_babel.refresh()
        assert exc.message() == "The series KS is closed for new cases."
