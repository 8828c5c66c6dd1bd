"""Wires extensions, blueprints, error pages, template helpers and CLI into the app."""

from flask import Flask, current_app, redirect, render_template, session
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from caseapp import i18n, navcache
from caseapp.auth.permissions import Perm, can
from caseapp.cases import services as case_services
from caseapp.documents import merges as document_merges
from caseapp.extensions import babel, csrf, login_manager, mail
from caseapp.followups import services as followup_services
from caseapp.forms import EmptyForm
from caseapp.links import case_url, document_url, start_url
from caseapp.notifications import outbox
from caseapp.signals import contact_merged, document_moved, mailbox_merged, organisation_merged
from caseapp.timefmt import show_as_written, show_date, show_datetime
from caseapp.urls import IdConverter


def _select_locale() -> str:
    """The language chosen in this session, else the installation's default (Swedish)."""
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _connect_followers() -> None:
    """Rows that point at a merged directory record follow it to the record kept, and rows
    about a document moved to another case follow it there: each feature that owns such
    rows moves its own (the directory and the documents know none of them)."""
    organisation_merged.connect(case_services.follow_merged_organisation)
    organisation_merged.connect(document_merges.follow_merged_organisation)
    contact_merged.connect(document_merges.follow_merged_contact)
    mailbox_merged.connect(document_merges.follow_merged_mailbox)
    document_moved.connect(followup_services.follow_moved_documents)
    document_moved.connect(outbox.follow_moved_documents)


def _start_page():
    return redirect(start_url(current_user))


def init_app(app: Flask) -> None:
    # Before any route is added: every <int:...> of every feature is a bounded row id.
    app.url_map.converters["int"] = IdConverter
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    mail.init_app(app)
    navcache.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    i18n.init_app(app)

    from caseapp.auth import second_factor_views  # noqa: F401 - adds its pages to auth_bp
    from caseapp.auth.admin_views import bp as users_bp
    from caseapp.auth.views import bp as auth_bp
    from caseapp.cases import sections  # noqa: F401 - adds the case page's sections to cases_bp
    from caseapp.cases.views import bp as cases_bp
    from caseapp.directory import lookup_views  # noqa: F401 - adds the lookup to directory_bp
    from caseapp.directory.views import bp as directory_bp
    from caseapp.documents import move_views  # noqa: F401 - adds moving to documents_bp
    from caseapp.documents.views import bp as documents_bp
    from caseapp.mail.views import init_app as init_mail
    from caseapp.registry.views import bp as registry_bp
    from caseapp.settings.views import bp as settings_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(settings_bp)
    init_mail(app)

    from caseapp.followups.views import init_app as init_followups
    from caseapp.notifications.views import init_app as init_notifications

    init_followups(app)
    init_notifications(app)
    _connect_followers()

    app.add_url_rule("/", "index", _start_page)

    # Dates and times read 2021-06-07 and 2021-06-07 13:42, in Swedish time, everywhere.
    app.jinja_env.filters["date"] = show_date
    app.jinja_env.filters["datetime"] = show_datetime
    app.jinja_env.filters["as_written"] = show_as_written
    # Counts read 1 000 in Swedish, 1,000 in English.
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["case_url"] = case_url
    app.jinja_env.globals["document_url"] = document_url

    @app.context_processor
    def _helpers():
        return {
            "can": lambda perm: can(current_user, Perm(perm)),
            "Perm": Perm,
            "current_lang": _select_locale(),
            # Never reads the request body: the 413 page renders without touching it.
            "empty_form": lambda: EmptyForm(formdata=None),
        }

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # No CDN and no inline script: everything comes from this origin.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response

    def _error(template: str, status: int):
        def handler(_err):
            from caseapp.extensions import db

            db.session.rollback()
            return render_template(template), status

        return handler

    app.register_error_handler(400, _error("errors/400.html", 400))
    app.register_error_handler(403, _error("errors/403.html", 403))
    app.register_error_handler(404, _error("errors/404.html", 404))
    app.register_error_handler(405, _error("errors/405.html", 405))
    app.register_error_handler(413, _error("errors/413.html", 413))
    app.register_error_handler(500, _error("errors/500.html", 500))
    app.register_error_handler(StaleDataError, _error("errors/409.html", 409))

    from caseapp.cli import register_commands

    register_commands(app)
