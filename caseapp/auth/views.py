"""Logging in (the password, then the second factor's code where the user has one) and
out, changing one's password, and the reset link's page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from caseapp.auth import pending, second_factor, services
from caseapp.auth.forms import ChangePasswordForm, LoginCodeForm, LoginForm, ResetPasswordForm
from caseapp.auth.models import User
from caseapp.auth.services import LoginThrottled, authenticate, count_login_attempt
from caseapp.config import production
from caseapp.errors import ServiceError
from caseapp.extensions import db, login_manager
from caseapp.forms import EmptyForm, show_service_error
from caseapp.links import start_url
from caseapp.urls import safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The cookie names the user and the session token: after a logout or a password change
    # the token is new and every older cookie opens nothing. A deactivated user's open
    # sessions end at their next request.
    return services.user_for_session(user_id)


@bp.record_once
def _trust_proxies(state) -> None:
    # Behind a reverse proxy every request comes from the proxy: the client's address, which
    # login throttling counts by, is then the one the proxy forwards.
    hops = state.app.config.get("PROXY_FIX_X_FOR") or 0
    if hops:
        state.app.wsgi_app = ProxyFix(state.app.wsgi_app, x_for=hops)


@bp.after_app_request
def _strict_transport_security(response):
    # In production every answer tells the browser to come back over https only.
    if production(current_app.config) and current_app.config.get("HSTS_SECONDS"):
        response.headers.setdefault(
            "Strict-Transport-Security",
            f"max-age={int(current_app.config['HSTS_SECONDS'])}; includeSubDomains",
        )
    return response


def login_source() -> str:
    """The client's address, which login throttling counts by."""
    return request.remote_addr or "unknown"


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL in ?next= would make the login page an open redirect.
    return safe_next(target) or start_url(current_user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            count_login_attempt(form.email.data, login_source())
        except LoginThrottled:
            db.session.commit()
            flash(_("Too many failed attempts. Wait a while and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # the attempt counts before the password is checked
        user = authenticate(form.email.data, form.password.data, login_source())
        db.session.commit()  # a success takes the attempt back
        if user is not None and user.has_second_factor:
            # Not logged in yet: the session only remembers, for a few minutes, whose code
            # is owed.
            pending.begin(user, safe_next(request.args.get("next")))
            return redirect(url_for("auth.login_code"))
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong e-mail address or password."), "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The login's second step: a code from the app, or a recovery code, counted against
    the same limits as a password."""
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    owed = pending.pending()
    if owed is None:
        flash(_("Log in with your password first. The time for the code may have run out."))
        return redirect(url_for("auth.login"))
    user, next_url = owed
    form = LoginCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            count_login_attempt(user.email, login_source())
        except LoginThrottled:
            db.session.commit()
            flash(_("Too many failed attempts. Wait a while and try again."), "error")
            return render_template("auth/login_code.html", form=form), 429
        db.session.commit()  # the attempt counts before the code is checked
        how = second_factor.complete_login(user, form.code.data, login_source())
        db.session.commit()
        if how is not None:
            pending.end()
            login_user(user)
            if how == "recovery":
                _tell_recovery_codes_left(user)
            return redirect(safe_next(next_url) or start_url(user))
        form.code.errors.append(_("The code is wrong or was used already."))
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login_code.html", form=form), status


def _tell_recovery_codes_left(user: User) -> None:
    left = second_factor.recovery_codes_left(user)
    flash(
        ngettext(
            "You logged in with a recovery code, which is now used up. %(num)d is left.",
            "You logged in with a recovery code, which is now used up. %(num)d are left.",
            left,
        ),
        "warning",
    )


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        # A copy of the cookie kept from before (another tab, a stolen one) ends too.
        services.end_sessions(current_user)
        db.session.commit()
        logout_user()
        pending.end()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_own_password(user, current=form.current.data, new=form.password.data)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            login_user(user)  # this session goes on with the new token; others end
            flash(_("Your password was changed. You were logged out everywhere else."), "success")
            return redirect(start_url(user))
    elif form.is_submitted():
        status = 400
    return render_template(
        "auth/change_password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH
    ), status


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.password_reset_for(token) is None:
        abort(404)
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            logout_user()
            flash(_("Your password was set. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    # The address holds the link's token: no cache keeps the page.
    return (
        render_template(
            "auth/reset_password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH
        ),
        status,
        {"Cache-Control": "no-store"},
    )


@bp.post("/language")
def set_language():
    form = EmptyForm()
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in ("sv", "en"):
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
